-- apply_async, map_async, starmap_async: get, wait, ready, successful, in
-- both call styles; get and wait with a timeout that expires.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local spin = T.spin
local p = mp.Pool(2)

local r = p:apply_async(function(a, b) return a + b end, {1, 2})
print("apply_async", r:get(), r:ready(), r:successful(), r:wait())
r = p.apply_async(function() return "no args" end)
print("apply_async", r.get(), r.ready(), r.successful(), r.wait())

r = p:map_async(function(x) return x * x end, {1, 2, 3})
print("map_async", T.show(r:get()), r:successful())
r = p:map_async(function(x) return x end, {1, nil, n = 2}, 1)
print("map_async n", T.show(r.get()))
r = p.map_async(function(x) return x end, {n = 0})
print("map_async empty", T.show(r:get()))
r = p:starmap_async(function(a, b) return a .. b end, {{"a", "b"}, {"c", "d"}})
print("starmap_async", T.show(r:get()), r:ready())
r = p.starmap_async(function(a, b) return b end, {{1, nil, n = 2}, {1, 2}}, 1)
print("starmap_async n", T.show(r.get()))

-- not ready yet: a get and a wait with a timeout that expires
r = p:apply_async(function() spin(0.5) return "late" end)
print("ready at once", r:ready())
local err = T.errorof(function() return r:get(0.05) end)
print("get(0.05) raises timeout", T.has(err, "timeout"))
print("wait(0.05) is not true", not r:wait(0.05))
print("successful before ready", T.has(T.errorof(function() return r:successful() end), "result is not ready"))
print("wait()", r:wait())
print("ready", r:ready(), r:successful(), r:get(), r:get(0.01))
-- a zero timeout on a finished result returns it
print("get(0)", r:get(0))

-- several in flight at once
local rs = {}
for i = 1, 6 do rs[i] = p:apply_async(function(x) spin(0.02) return x * 10 end, {i}) end
local got = {}
for i = 1, 6 do got[i] = rs[i]:get() end
print("six", table.concat(got, " "))

-- a failing task: ready, not successful, get raises its error every time
r = p:apply_async(function() error("async failed") end)
print("wait", r:wait(), r:ready(), r:successful())
print(T.head(T.errorof(function() return r:get() end), 2))
print(T.head(T.errorof(function() return r.get() end), 1))
r = p:map_async(function(x) if x == 2 then error({code = x}) end return x end, {1, 2, 3}, 1)
err = T.errorof(function() return r:get() end)
print("table error", T.repr(err), r:successful())

-- the global pool
print("global", pool.apply_async(function() return 7 end):get(), T.show(pool:map_async(function(x) return -x end, {1}):get()))

p:close()
p:join()
