-- Values too large for one message between host and worker: an error that
-- names the size, the limit and the place; never a crash, never a hang.
-- Run with LUAPOOL_FRAME_LIMIT=100000: a message takes at most 99,936
-- bytes (the frame limit less 64 bytes of room for its header).
local T = require "helpers.pooltest"

local big = string.rep("x", 200000)
local function length(s) return #s end
local numbers = {}
for i = 1, 300 do numbers[i] = i end

-- an item, the function, a result
print(T.errorof(pool.apply, length, {big}))
print(T.errorof(pool.map, length, {"a", "b", big, "c"}))
print(T.errorof(pool.apply, function() return #big end))
local function large() return string.rep("x", 200000) end
print(T.head(T.errorof(pool.apply, large), 1))
print(T.head(T.errorof(pool.map, function(i) return i == 2 and large() or i end, {1, 2, 3}, 3), 1))
print(T.head(T.errorof(pool.map, function(i) return i == 250 and {large()} or i end, numbers, 300), 1))
print(T.head(T.errorof(pool.map, function(i) return i == 250 and large() or {} end, numbers, 300), 1))

-- items or results too large only together, in one chunk
local strings = {}
for i = 1, 300 do strings[i] = string.rep("y", 1000) end
print(T.errorof(pool.map, length, strings, 300))
print(#pool.map(length, strings, 50))
print(T.head(T.errorof(pool.map, function(i) return string.rep("z", 1000) end, numbers, 300), 1))
print(#pool.map(function(i) return string.rep("z", 1000) end, numbers, 50))

-- an error message too large to send
print(T.head(T.errorof(pool.apply, function() error(string.rep("e", 200000), 0) end), 1))

-- the pool goes on
print(T.show(pool.map(length, {"a", "bb", "ccc"})))
