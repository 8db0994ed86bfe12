-- errors = "collect": a failing item does not stop the call; the results
-- have nothing at failed items and a second value lists the failures in
-- item order, each {index, message, traceback, worker, pid, kind, error},
-- kind one of error, died, timeout, memory.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function show(failures)
  for _, f in ipairs(failures) do
    print(("  #%d %s: %s | worker %s pid %s traceback %s error %s"):format(
      f.index, f.kind, T.head(f.message, 1), T.normalize(f.worker), type(f.pid),
      f.traceback and "yes" or "no", T.repr(type(f.error) == "string" and T.head(f.error, 1) or f.error)))
  end
end

local p <close> = mp.Pool(2)

-- every kind in one call, raised in items 2, 4, 6, 8; the others come back
local function task(x)
  if x == 2 then error("two is bad") end
  if x == 4 then error({code = 4}) end
  if x == 6 then while true do end end                       -- past the timeout
  if x == 8 then local t = {} for i = 1, 1e8 do t[i] = i end end  -- past the memory cap
  if x == 10 then os.exit(3) end                             -- dies, every time
  return x * 10
end
local list = {}
for i = 1, 12 do list[i] = i end
local results, failures = p:map(task, list, {errors = "collect", timeout = 0.5, memory = "20MB", chunksize = 3})
print(T.show(results))
show(failures)

-- no failure: an empty list
local ok, none = p:map(function(x) return x end, {1, 2}, {errors = "collect"})
print(T.show(ok), #none, type(none))

-- starmap
local r, f = p:starmap(function(a, b) if a == b then error("same") end return a + b end, {{1, 2}, {3, 3}, {5, 1}},
                       {errors = "collect"})
print(T.show(r)) show(f)

-- imap and imap_unordered yield i, nil, failure for a failed item
for i, v, e in p:imap(function(x) if x % 2 == 0 then error("even " .. x) end return x end, {1, 2, 3, 4},
                      {errors = "collect"}) do
  print("imap", i, v, e and (e.index .. " " .. e.kind .. " " .. T.head(e.message, 1)))
end
local seen = {}
for i, v, e in p:imap_unordered(function(x) if x == 2 then os.exit(1) end return x end, {1, 2, 3},
                                {errors = "collect"}) do
  seen[#seen + 1] = i .. "=" .. tostring(v) .. (e and ("/" .. e.kind) or "")
end
table.sort(seen)
print("imap_unordered", table.concat(seen, " "))

-- map_async: get() returns the results and the failures
local a = p:map_async(function(x) if x == 1 then error("one") end return x end, {1, 2}, {errors = "collect"})
local ar, af = a:get()
print(T.show(ar), #af, af[1].index, T.head(af[1].message, 1))

-- the pool's default
local q <close> = mp.Pool{processes = 1, errors = "collect"}
local qr, qf = q:map(function(x) if x == 1 then error("one") end return x end, {1, 2})
print(T.show(qr), #qf)
print(T.head(T.errorof(q.map, function(x) error("raised") end, {1}, {errors = "raise"}), 1))
