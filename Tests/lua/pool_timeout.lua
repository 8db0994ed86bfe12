-- timeout = seconds: a task running longer fails with "task timed out
-- after N s" (kind "timeout"). Lua code is stopped by a hook and its
-- worker survives, in both error modes (pool_timeout_stuck.lua: tasks
-- the hook cannot stop).
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p <close> = mp.Pool(1)
local function pid() return mp.current_process().pid end
local before = p:apply(pid)

-- a Lua loop, raise mode: the hook stops it, the worker lives on
local err = T.errorof(p.map, function(x) if x == 2 then while true do end end return x end, {1, 2, 3}, {timeout = 0.3})
print(T.head(err, 1))
print("same worker after a Lua timeout:", p:apply(pid) == before)

-- a Lua loop, collect mode
local r, f = p:map(function(x) if x == 2 then while true do end end return x end, {1, 2, 3},
                   {timeout = 0.3, errors = "collect"})
print(T.show(r), f[1].index, f[1].kind, f[1].message)
print("same worker:", p:apply(pid) == before)

-- apply and apply_async take a timeout
print(T.head(T.errorof(p.apply, function() while true do end end, {}, {timeout = 0.2}), 1))
local a = p:apply_async(function() while true do end end, {}, {timeout = 0.2})
print(T.head(T.errorof(a.get, a), 1))
-- AsyncResult:get(t) still only stops waiting: the task goes on
local slow = p:apply_async(function() T.spin(0.5) return "finished" end)
print(T.head(T.errorof(slow.get, slow, 0.1), 1))
print(slow:get())

-- a pool's default, and a call's own overriding it
local q <close> = mp.Pool{processes = 1, timeout = 0.2}
print(T.head(T.errorof(q.apply, function() while true do end end), 1))
print(q:apply(function() T.spin(0.4) return "longer allowed" end, {}, {timeout = 2}))
