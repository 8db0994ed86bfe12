-- mp.loads is safe on bytes from anywhere: it refuses every function unless
-- given {functions = true}, and nothing it decoded is left to run later.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

-- A Lua function, a C function, a module and the global table: refused by
-- default, with how to opt in; loaded with the option.
print(T.errorof(mp.loads, mp.dumps(function() return 1 end)))
print(T.errorof(mp.loads, mp.dumps(print)))
print(T.errorof(mp.loads, mp.dumps(string)))
print(T.errorof(mp.loads, mp.dumps(_G)))
print(T.errorof(mp.loads, mp.dumps({1, {f = math.sqrt}})))
print(mp.loads(mp.dumps(function() return 1 end), {functions = true})())
print(mp.loads(mp.dumps(print), {functions = true}) == print)
print(mp.loads(mp.dumps(string), {functions = true}) == string)

-- Plain data, metatables of plain data included, loads by default.
local v = mp.loads(mp.dumps(setmetatable({1, "two"}, {__index = {three = 3}})))
print(v[1], v[2], v.three)

-- A C function by name acts without any bytecode: os.remove as __concat
-- would remove the file a script concatenates with the value.
local path = os.tmpname()
local evil = mp.dumps(setmetatable({}, {__concat = os.remove}))
print(T.errorof(mp.loads, evil))
print(io.open(path) ~= nil)
local trusted = mp.loads(evil, {functions = true})
print(getmetatable(trusted).__concat == os.remove, (path .. trusted) == true, io.open(path) == nil)

-- A __gc in a decoded metatable: refused before any object has it, so it
-- never runs. (The original's metatable gets its __gc after setmetatable,
-- so the original is not marked for finalization: only a decoded copy
-- can print.)
local mt = {}
local original = setmetatable({}, mt)
mt.__gc = function() print("__gc ran") end
local bytes = mp.dumps({1, 2, original})
print(T.errorof(mp.loads, bytes))
collectgarbage() collectgarbage()
print("collected: nothing ran")
-- With functions it loads, and its finalizer runs at the next collection.
mp.loads(bytes, {functions = true})
collectgarbage() collectgarbage()

-- Forged bytecode never reaches Lua's loader by default, checksum or not.
local forged = "\1\1\0\0\0\0\0\12" .. string.pack("<I4I8", 4, 0) .. "junk" .. "\0"
print(T.errorof(mp.loads, forged))
print(T.errorof(mp.loads, forged, {functions = true}))

-- The option is a boolean.
print(T.errorof(function() return mp.loads(mp.dumps(1), {functions = "yes"}) end))
print(T.errorof(function() return mp.loads(mp.dumps(1), {functions = 1}) end))
