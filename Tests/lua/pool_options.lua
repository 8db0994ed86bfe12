-- The options table of every pool call, and the same options as a pool's
-- defaults: what each call takes, a number where the table goes stays the
-- chunksize, and a clear error for each bad option.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p <close> = mp.Pool(2)
local f = function(x) return x end
print(T.show(p:map(f, {1, 2, 3}, 2)), T.show(p:map(f, {1, 2, 3}, {chunksize = 2})))
print(T.show(p:starmap(math.max, {{1, 2}}, {chunksize = 1, progress = false, errors = "raise", retries = 0,
                                             timeout = 5, memory = "1GB"})))

local calls = {
  {"map", function(o) return p:map(f, {1}, o) end},
  {"imap", function(o) for _ in p:imap(f, {1}, o) do end end},
  {"apply", function(o) return p:apply(f, {1}, o) end},
  {"apply_async", function(o) return p:apply_async(f, {1}, o):get() end},
  {"map_async", function(o) return p:map_async(f, {1}, o):get() end},
}
local options = {
  {chunksize = 0}, {chunksize = 1.5}, {progress = "yes"}, {errors = "ignore"}, {retries = -1},
  {retries = 1001}, {timeout = 0}, {timeout = -1}, {timeout = 1 / 0}, {timeout = "5"},
  {checkpoint = ""}, {checkpoint = 3}, {callback = 1}, {colour = "red"}, {[1] = true},
}
for _, call in ipairs(calls) do
  for _, o in ipairs(options) do
    local err = T.errorof(call[2], o)
    print(call[1], T.repr(o), (T.head(err, 1):gsub("^[^:]*:%d+: ", "")))
  end
end

-- a pool's defaults: every mapping option but the checkpoint
local q <close> = mp.Pool{processes = 1, chunksize = 2, errors = "collect", retries = 0, timeout = 5,
                          memory = "100MB", progress = false}
local r, failures = q:map(function(x) if x == 2 then error("two") end return x end, {1, 2, 3})
print(T.show(r), #failures)
for _, bad in ipairs{{checkpoint = "x"}, {callback = 1}, {errors = "loud"}, {chunksize = 0}} do
  print(T.repr(bad), (T.head(T.errorof(mp.Pool, bad), 1):gsub("^[^:]*:%d+: ", "")))
end
