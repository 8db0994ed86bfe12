-- A task is judged by its own call's time limit, and only for the time it
-- runs: not while it waits for the script to answer a global it reads,
-- even when the script is busy running its own code meanwhile.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p <close> = mp.Pool(1)
-- a call with a short limit answers; the next, with a long one, runs 1.6 s
-- while the script is busy: it is not killed by the first call's limit
local a = p:map_async(function(x) return x end, {1}, {timeout = 0.2})
local b = p:map_async(function() T.spin(1.6) return "b finished" end, {1}, {timeout = 60})
T.spin(1.5)
print(a:get()[1], T.errorof(function() return b:get()[1] end))

-- a task that reads a global waits for the script, which is busy for
-- 1.5 s: that wait does not count against its 0.2 s
LIMIT_TEST = 41
local r = p:map_async(function(x) return LIMIT_TEST + x end, {1}, {timeout = 0.2, errors = "collect"})
T.spin(1.5)
local results, failures = r:get()
print(results[1], #failures)
