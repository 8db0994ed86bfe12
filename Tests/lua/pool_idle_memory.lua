-- An idle worker gives back what a large map made it hold: after a map
-- of a million items, and after tasks returning large tables, its private
-- memory (/proc/PID/smaps_rollup) is back under 2 MiB.
local mp = require "multiprocessing"
local p <close> = mp.Pool(2)
local pids = p:map(function() return mp.current_process().pid end, {1, 2}, 1)

local function private_kib(pid)
  local f = assert(io.open("/proc/" .. pid .. "/smaps_rollup"))
  local s = f:read("a")
  f:close()
  return tonumber(s:match("Private_Clean:%s+(%d+)")) + tonumber(s:match("Private_Dirty:%s+(%d+)"))
end
-- The workers give memory back as they go idle, just after answering:
-- allow them up to two seconds.
local function small()
  for _ = 1, 40 do
    if private_kib(pids[1]) < 2048 and private_kib(pids[2]) < 2048 then return true end
    os.execute("sleep 0.05")
  end
  return false
end

print("idle", small())
local xs = {}
for i = 1, 1000000 do xs[i] = i end
local ys = p:map(function(x) return x * x end, xs)
print("after a large map", ys.n, small())
ys = p:map(function() local t = {} for i = 1, 200000 do t[i] = i end return t end, {1, 2}, 1)
print("after large results", #ys[1], small())
