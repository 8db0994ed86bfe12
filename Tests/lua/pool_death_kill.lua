-- A worker killed by SIGKILL in the middle of a map: the call fails naming
-- the worker, its pid, the signal and the item; the pool goes on.
local T = require "helpers.pooltest"
local D = require "helpers.pool_death"
local mp = require "multiprocessing"

local file = os.tmpname()
local function square(x) return x * x end
local p = mp.Pool(2)
local before = p:map(function() return mp.current_process().name end, {1, 2}, 1)
local err = T.errorof(function() return p:map(D.task("kill -9", 3, file), {1, 2, 3, 4, 5}, 1) end)
D.report(err, file)
-- the pool is usable afterwards, with a new worker in place of the dead one
print(T.show(p:map(square, {1, 2, 3})))
local names = p:map(function() T.spin(0.05) return mp.current_process().name end, {1, 2, 3, 4, 5, 6}, 1)
print("two workers", #T.distinct(names))

-- the same through imap, apply and apply_async
err = T.errorof(function() for _ in p:imap(D.task("kill -9", 2, file), {1, 2, 3}) do end end)
D.report(err, file)
err = T.errorof(function() return p:apply(D.task("kill -9", 1, file), {1}) end)
D.report(err, file)
local r = p:apply_async(D.task("kill -9", 1, file), {1})
err = T.errorof(function() return r:get() end)
print("async", r:ready(), r:successful())
-- where an async call's error is placed (submission or get) is left open
err = tostring(err):gsub("^pool_death_kill%.lua:%d+: ", "")
D.report(err, file)
print(T.show(p:starmap(square, {{4}, {5}})))
p:terminate()

-- the global pool
err = T.errorof(function() return pool.map(D.task("kill -9", 2, file), {1, 2, 3}, 1) end)
D.report(err, file)
print(T.show(pool.map(square, {6, 7})))
