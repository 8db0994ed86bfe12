-- A value the host cannot decode is an error naming the item and what
-- could not be decoded, never a nil; an error value it cannot decode is
-- still an error. (A module the host has not loaded but can require is
-- required: see pool_world_modules.lua.)
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

-- In the worker: a C function found only in a module registered by hand,
-- which the host cannot require.
local function handmade()
  package.loaded.handmade = package.loaded.handmade or {encode = require("cjson").new().encode}
  return package.loaded.handmade.encode
end

local p = mp.Pool(2)
print(T.head(T.errorof(p.map, function() return handmade() end, {1}), 1))
print(T.head(T.errorof(p.map, function(x) if x == 3 then return handmade() end return x end, {1, 2, 3, 4}, 1), 1))
print(T.head(T.errorof(p.map, function(x) if x == 3 then return handmade() end return x end, {1, 2, 3, 4}, 4), 1))
print(T.head(T.errorof(p.apply, function() return {ok = true, f = handmade()} end), 1))
print(T.head(T.errorof(p.apply, function() return package.loaded.handmade or handmade() and package.loaded.handmade end), 1))
-- a large chunk
local xs = {}
for i = 1, 1000 do xs[i] = i end
print(T.head(T.errorof(p.map, function(x) if x == 700 then return handmade() end return x end, xs, 1000), 1))
-- the error value of a task
local ok, err = pcall(p.map, function() error(setmetatable({}, {__index = handmade()})) end, {1})
print(ok, T.head(err, 1))
-- the pool goes on
print(T.show(p:map(function(x) return x * 2 end, {1, 2, 3})))
p:terminate()
