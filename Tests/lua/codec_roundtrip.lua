-- mp.dumps / mp.loads: every kind of value there and back, exactly.
local mp = require "multiprocessing"
local function rt(v) return mp.loads(mp.dumps(v), {functions = true}) end

-- nil, booleans, numbers: integers and floats kept apart
assert(rt(nil) == nil and rt(true) == true and rt(false) == false)
for _, i in ipairs{0, 1, -1, 127, -128, 128, 1 << 31, -(1 << 31) - 1, math.maxinteger, math.mininteger} do
  assert(rt(i) == i and math.type(rt(i)) == "integer", i)
end
for _, x in ipairs{0.0, 1.0, -2.5, 1/3, 2^53, 1e308, 5e-324, math.huge, -math.huge} do
  assert(rt(x) == x and math.type(rt(x)) == "float", x)
end
assert(1 / rt(-0.0) == -math.huge)
local nan = rt(0/0)
assert(nan ~= nan)

-- strings of any bytes
for _, s in ipairs{"", "\0", "a\0b", "\255\254\128", string.rep("x", 255), string.rep("y", 256)} do
  assert(rt(s) == s)
end

-- tables: nesting, holes, keys of every kind
local t = rt{1, nil, 3, x = {y = {z = "deep"}}, [true] = false, [1.5] = "f", [-1] = "neg"}
assert(t[1] == 1 and t[2] == nil and t[3] == 3 and t.x.y.z == "deep")
assert(t[true] == false and t[1.5] == "f" and t[-1] == "neg")

-- shared references and cycles
local shared = {}
local c = {a = shared, b = shared}
c.self = c
local d = rt(c)
assert(d.self == d and d.a == d.b and d.a ~= shared)

-- tables as keys, metatables shared like any table
local k = {}
local mt = {__index = function(_, key) return "default " .. key end}
local e = rt{[k] = "v", key = k, p = setmetatable({}, mt), q = setmetatable({}, mt)}
assert(e[e.key] == "v")
assert(e.p.anything == "default anything" and getmetatable(e.p) == getmetatable(e.q))

-- several values in one message come back as several values
assert(select("#", mp.loads(mp.dumps(1))) == 1)

-- depth: 1000 levels go
local deep = {}
local cur = deep
for _ = 2, 1000 do cur[1] = {} cur = cur[1] end
local back, n = rt(deep), 0
while back do n = n + 1 back = back[1] end
assert(n == 1000)

print("ok")
