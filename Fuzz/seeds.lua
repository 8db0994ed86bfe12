-- Writes a seed corpus for the codec fuzzer: one message per file.
-- luapool Fuzz/seeds.lua DIR
local mp = require "multiprocessing"
local dir = assert(..., "usage: seeds.lua DIR")
local shared = {1, 2}
local t = {1, 2.5, "three", shared, shared, x = {y = {z = true}}, [false] = -0.0}
t.self = t
local records = {}
for i = 1, 5 do records[i] = {id = i, name = "n" .. i, score = i * 0.5} end
local seeds = {
  nil, true, 0, -1, math.maxinteger, 1.5, 0/0, "", "text\0bytes", string.rep("x", 300),
  {}, {1, 2, 3}, t, records, setmetatable({}, {__index = shared}),
  {[{}] = "table key", [1.5] = 1, [true] = false}, math, {f = math.sqrt},
}
for i = 1, #seeds + 1 do
  local file = assert(io.open(string.format("%s/seed-%02d", dir, i), "wb"))
  file:write(mp.dumps(seeds[i]))
  file:close()
end
local f = assert(io.open(dir .. "/seed-function", "wb"))
local n = 0
f:write(mp.dumps({function() n = n + 1 return n end, function() return n end}))
f:close()
