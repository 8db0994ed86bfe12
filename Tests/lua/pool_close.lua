-- close, join, terminate: submitted work finishes after close; a closed or
-- terminated pool refuses work; terminate fails pending results and ends
-- the workers; the global pool starts afresh after join or terminate.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local spin = T.spin
local function square(x) return x * x end
local function whoami() return mp.current_process().pid end

-- join before close is an error
local p = mp.Pool(2)
print("join while running fails", (pcall(function() return p:join() end)))

-- close: no new work, but work already submitted finishes
local r = p:map_async(function(x) spin(0.1) return x + 1 end, {1, 2, 3}, 1)
p:close()
print("closed, map", T.has(T.errorof(function() return p:map(square, {1}) end), "pool is closed"))
print("closed, apply_async", T.has(T.errorof(function() return p.apply_async(square, {1}) end), "pool is closed"))
print("closed, imap", T.has(T.errorof(function() return p:imap(square, {1}) end), "pool is closed"))
p:join()
print("after join", r:ready(), T.show(r:get()))
print("joined, starmap", T.has(T.errorof(function() return p:starmap(square, {{1}}) end), "pool is closed"))
-- close and join again do no harm
p:close()
p:join()
print("close and join twice", true)

-- terminate: pending results fail, the workers are gone
p = mp.Pool(2)
local pids = p:map(whoami, {1, 2}, 1)
local long = p:apply_async(function() spin(30) return "finished" end)
p:terminate()
print("terminated result ready", long:ready(), long:successful())
print("terminated result get fails", (pcall(function() return long:get() end)))
print("terminated, map", T.has(T.errorof(function() return p:map(square, {1}) end), "pool was terminated"))
print("terminated, apply", T.has(T.errorof(function() return p.apply(square, {1}) end), "pool was terminated"))
print("workers gone", not T.exists(pids[1]), not T.exists(pids[2]))
p:join()
p:terminate()
print("join and terminate after terminate", true)

-- a closed pool can still be terminated
p = mp.Pool(1)
p:close()
p.terminate()
print("closed then terminated, map", T.has(T.errorof(function() return p:map(square, {1}) end), "pool was terminated"))

-- the global pool: after close + join, or terminate, its next use starts
-- a new pool with new workers
local first = pool.map(function() return mp.current_process().name end, {1, 2}, 1)
pool.close()
print("global closed", T.has(T.errorof(function() return pool.map(square, {1}) end), "pool is closed"))
pool.join()
local second = pool.map(function() return mp.current_process().name end, {1, 2}, 1)
print("global after join", T.show(pool.map(square, {2, 3})))
pool:terminate()
local third = pool.map(function() return mp.current_process().name end, {1, 2}, 1)
print("global after terminate", T.show(pool:map(square, {4})))
local function highest(names)
  local top = 0
  for i = 1, names.n do top = math.max(top, T.workernumber(names[i])) end
  return top
end
local function lowest(names)
  local low = math.huge
  for i = 1, names.n do low = math.min(low, T.workernumber(names[i])) end
  return low
end
print("new workers each time", lowest(second) > highest(first), lowest(third) > highest(second))
