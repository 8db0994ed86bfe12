-- A worker killed by SIGSEGV: the call fails naming the worker, its pid,
-- the signal and the item; nothing else is printed; the pool goes on.
local T = require "helpers.pooltest"
local D = require "helpers.pool_death"
local mp = require "multiprocessing"

local file = os.tmpname()
local p = mp.Pool(2)
local err = T.errorof(function() return p:map(D.task("kill -SEGV", 4, file), {1, 2, 3, 4, 5, 6}, 1) end)
D.report(err, file)
print(T.show(p:map(function(x) return -x end, {1, 2})))
p:terminate()
err = T.errorof(function() return pool.map(D.task("kill -SEGV", 1, file), {1, 2}, 1) end)
D.report(err, file)
print(T.show(pool.map(function(x) return -x end, {3})))
