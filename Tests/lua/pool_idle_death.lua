-- An idle worker that died is replaced before it is given work: the next
-- call runs normally. A worker that dies while no call runs is reaped at
-- the latest when the next call starts; one that died in a call is
-- reaped and replaced before the call returns. No zombie is left.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function pids(p)
  local r = p:map(function() T.spin(0.05) return mp.current_process().pid end, {1, 2, 3, 4}, 1)
  return T.distinct(r)
end
local function state(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if not f then return "gone" end
  local s = f:read("a")
  f:close()
  return s:match("^%d+ %b() (%a)") == "Z" and "zombie" or "alive"
end

local p = mp.Pool(2)
local before = pids(p)
print("workers", #before)
-- kill one idle worker, outside any call
os.execute("kill -9 " .. before[1] .. "; sleep 0.2")
print("dead idle worker before the call", state(before[1]))
print(T.show(p:map(function(x) return x * 2 end, {1, 2, 3, 4, 5, 6}, 1)))
print("after the call", state(before[1]))
local after = pids(p)
print("workers again", #after, after[1] ~= before[1] or after[2] ~= before[1])

-- both workers killed between calls: the next call still runs
for _, pid in ipairs(after) do os.execute("kill -9 " .. pid) end
os.execute("sleep 0.2")
print(T.show(p:map(function(x) return x + 1 end, {1, 2, 3}, 1)))
for _, pid in ipairs(after) do print("reaped", state(pid)) end

-- a worker dying in a call: reaped and replaced when the call returns
local err = T.errorof(p.apply, function() os.exit(5) end)
print(T.head(err, 1))
local dead = tonumber(tostring(err):match("%(pid (%d+)%)"))
print("dead worker", state(dead))
print("workers still", #pids(p))
p:terminate()
