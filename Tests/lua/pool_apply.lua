-- apply: one call in a worker, its first result; arguments with nils and n.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function count(...)
  local args = table.pack(...)
  local shown = {}
  for i = 1, args.n do shown[i] = tostring(args[i]) end
  return args.n .. ":" .. table.concat(shown, ",")
end

print(T.repr(pool.apply(function(a, b) return a + b end, {2, 3})))
print(T.repr(pool:apply(function(a, b) return a * b end, {2, 3})))
print(T.repr(pool.apply(count)))
print(T.repr(pool.apply(count, {})))
print(T.repr(pool.apply(count, {nil, 2, nil, n = 3})))
print(T.repr(pool.apply(count, {1, 2, 3, n = 1})))
print(T.repr(pool.apply(function() return nil, "second" end)))
print(T.repr(pool.apply(function() return {k = {1, 2}} end)))
-- it runs in a worker
print(pool.apply(function() return mp.current_process().name end):match("^PoolWorker%-%d+$") ~= nil)

local p = mp.Pool(1)
print(T.repr(p:apply(function(s) return s:upper() end, {"abc"})))
print(T.repr(p.apply(function(s) return s:rep(2) end, {"xy"})))
-- an error comes back with its item and worker
print(T.head(T.errorof(function() return p:apply(function() error("apply failed") end) end), 2))
print(T.repr(p:apply(function() return "still usable" end)))
p:close()
p:join()
