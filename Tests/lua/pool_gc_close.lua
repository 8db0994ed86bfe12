-- A finalizer that runs while a map waits (the host allocates as it reads
-- the answers) may close the pool: the map is not aborted. Calls that
-- would wait inside that wait (join, get, a new map, terminate) raise
-- "the pool is busy" instead of tearing the map's state.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p = mp.Pool(2)
local xs = {}
for i = 1, 20000 do xs[i] = i end
local during = {}
local pending = p:apply_async(function() return "pending" end)
setmetatable({}, {__gc = function()
  during[#during + 1] = "close " .. tostring(pcall(p.close, p))
  during[#during + 1] = "join " .. T.errorof(p.join, p)
  during[#during + 1] = "get " .. T.errorof(pending.get, pending)
  during[#during + 1] = "map " .. T.errorof(p.map, print, {1})
  during[#during + 1] = "terminate " .. T.errorof(p.terminate, p)
  during[#during + 1] = "default pool " .. T.errorof(pool.map, print, {1})
end})
local ok, r = pcall(p.map, function(x) return {x, tostring(x)} end, xs, 100)
local good = ok and r.n == 20000
if good then
  for i = 1, 20000 do if r[i][1] ~= i or r[i][2] ~= tostring(i) then good = false end end
end
print("map finished", good)
for _, line in ipairs(during) do print(line) end
-- the pool was closed: no new work; join waits for the pending call
print(T.errorof(p.map, print, {1}))
p:join()
print("pending", pending:get())
