-- A bad LUAPOOL_WORKERS raises when the global pool is first used (and
-- when mp.Pool() needs the default size), not before.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

print("started")
print(T.has(T.errorof(function() return mp.Pool() end), "LUAPOOL_WORKERS must be a whole number from 1 to 4096, got '" .. os.getenv("LUAPOOL_WORKERS") .. "'"))
-- an explicit size does not need it
print(T.show(mp.Pool(1):map(function(x) return x end, {1})))
pool.map(function(x) return x end, {1})
