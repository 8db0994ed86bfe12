-- Under mpirun -n 3, failures on other ranks behave as on this machine:
-- a task's error with its traceback names the rank, host, worker and item;
-- a death fails only its item and the worker is replaced; collect, retries,
-- timeouts (enforced by the worker's rank) and memory caps.
local mp = require "multiprocessing"
local function clean(text)
  return (tostring(text):gsub("PoolWorker%-%d+", "PoolWorker-N"):gsub("pid %d+", "pid P"):gsub("%(([%w%.%-]+)%)", "(HOST)"))
end
local ok, e = pcall(pool.map, function(x) if x == 3 then error("boom") end return x end, {1, 2, 3, 4}, 1)
print(clean(e:match("^[^\n]*")))
print("traceback", e:find("stack traceback:", 1, true) ~= nil)
ok, e = pcall(pool.map, function(x) if x == 2 then os.exit(5) end return x end, {1, 2, 3}, 1)
print(clean(e))
print("after a death", #pool:map(function(x) return x end, {1, 2, 3, 4}))
local r, f = pool:map(function(x)
  if x == 2 then error("two") end
  if x == 3 then while true do end end
  if x == 4 then os.execute("sleep 10") end
  if x == 5 then local t = {} for i = 1, 1e8 do t[i] = i end end
  if x == 6 then os.exit(1) end
  return x
end, {1, 2, 3, 4, 5, 6, 7}, {errors = "collect", timeout = 0.3, memory = "20MB", chunksize = 1, retries = 0})
print("results", r[1], r[2], r[3], r[4], r[5], r[6], r[7])
for _, failure in ipairs(f) do print("failure", failure.index, failure.kind, clean(failure.message), clean(failure.worker)) end
-- a death retried on another worker
local marker = os.tmpname()
os.remove(marker)
local out = pool:map(function(x)
  if x == 2 and not io.open(marker) then io.open(marker, "w"):close() os.exit(9) end
  return x * 10
end, {1, 2, 3}, {retries = 1, chunksize = 1})
print("retried", out[1], out[2], out[3])
os.remove(marker)
