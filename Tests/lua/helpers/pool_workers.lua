-- Prints the names of the global pool's workers, found by running
-- 12 short tasks one at a time on it, and the number of distinct pids.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local xs = {}
for i = 1, 12 do xs[i] = i end
local r = pool.map(function()
  T.spin(0.03)
  local me = mp.current_process()
  return me.name .. " " .. me.pid
end, xs, 1)
local names, pids = {}, {}
for i = 1, r.n do
  local name, pid = r[i]:match("^(%S+) (%d+)$")
  names[#names + 1] = name
  pids[#pids + 1] = pid
end
print(table.concat(T.distinct(names), " "))
print("distinct pids", #T.distinct(pids))
