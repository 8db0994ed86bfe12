-- Runs of numbers in a table's array part are read and written in place
-- (CLua/shim.h, clua_arrayprobe): every shape of table comes back as it
-- went, through mp.dumps / mp.loads, through apply, and as a map's items
-- and results: integers and floats kept apart, NaN, -0.0, holes, values
-- that are not numbers anywhere in a run, array parts whose limit Lua
-- has lowered (after #t), integer keys kept in the hash part.
local mp = require "multiprocessing"

local function same(a, b, seen)
  if math.type(a) ~= math.type(b) or type(a) ~= type(b) then return false end
  if type(a) == "number" then
    if a ~= a then return b ~= b end
    return a == b and (a ~= 0 or 1 / a == 1 / b)
  end
  if type(a) ~= "table" then return a == b or type(a) == "function" end
  seen = seen or {}
  if seen[a] then return seen[a] == b end
  seen[a] = b
  local count = 0
  for k, v in pairs(a) do
    count = count + 1
    if not same(v, rawget(b, k), seen) then return false end
  end
  for _ in pairs(b) do count = count - 1 end
  return count == 0 and same(getmetatable(a), getmetatable(b), seen)
end

local special = {0, 1, -1, 127, -128, 128, -129, 2^31 - 1, 2^31, (1 << 31) - 1, 1 << 31, -(1 << 31), -(1 << 31) - 1,
                 math.maxinteger, math.mininteger, 0.0, -0.0, 2.0, 0.5, 1/3, 2^53, 2^63, -2^63, 1e308, 5e-324,
                 math.huge, -math.huge, 0/0}

local shapes = {}
local function shape(name, t) shapes[#shapes + 1] = {name, t} end

for _, n in ipairs{0, 1, 2, 8, 9, 63, 64, 65, 4095, 4096, 4097, 10000} do
  local ints, floats, mixed = {}, {}, {}
  for i = 1, n do
    ints[i] = i * 7919 - 5000
    floats[i] = i / 8
    mixed[i] = special[i % #special + 1]
  end
  shape("ints " .. n, ints)
  shape("floats " .. n, floats)
  shape("special " .. n, mixed)
end
-- a value that is not a number first, in the middle, last
for _, other in ipairs{"s", true, false, {1, 2}, print} do
  for _, at in ipairs{1, 2, 50, 100} do
    local t = {}
    for i = 1, 100 do t[i] = i + 0.25 end
    t[at] = other
    shape(type(other) .. " at " .. at, t)
  end
end
-- holes
local holes = {}
for i = 1, 100 do holes[i] = i end
holes[1], holes[50], holes[51] = nil, nil, nil
shape("holes", holes)
-- trailing nils, then # (which may lower the array part's limit)
local trailing = {}
for i = 1, 64 do trailing[i] = i end
for i = 40, 64 do trailing[i] = nil end
assert(#trailing == 39)
shape("trailing nils after #", trailing)
-- # lowers the array part's limit to 40 (past half its 64 slots), with
-- numbers past the limit: 40 items, then pairs
local past = {}
for i = 1, 64 do past[i] = i end
for i = 41, 64 do past[i] = nil end
for i = 50, 55 do past[i] = i + 0.5 end
assert(#past == 40)
shape("numbers past a lowered limit", past)
-- integer keys in the hash part, and both parts
shape("constructor keys", {[1] = 1, [2] = 2.5, [3] = 3})
shape("both parts", {1, 2, 3.5, x = 1, [10] = 10, [-1] = -1})
shape("sparse", {[1] = 1, [1000000] = 2})
local grown = {}
grown[3], grown[2], grown[1] = 3, 2, 1
shape("filled backwards", grown)
-- nested, shared, with a metatable
local inner = {1.5, 2.5, 3.5}
shape("nested", {{1, 2}, {3.0, 4.0}, inner, inner, {}})
shape("metatable", setmetatable({1, 2, 3}, {__index = function() return 0 end, __len = function() return 99 end}))

for _, s in ipairs(shapes) do
  local name, t = s[1], s[2]
  local back = mp.loads(mp.dumps(t), {functions = true})
  assert(same(t, back), "dumps/loads: " .. name)
end
print("dumps/loads", #shapes)

local p <close> = mp.Pool(2)
local function id(...) return ... end
local sent = 0
for _, s in ipairs(shapes) do
  local name, t = s[1], s[2]
  if name:sub(1, 8) ~= "function" then
    assert(same(t, p:apply(id, {t})), "apply: " .. name)
    sent = sent + 1
  end
end
print("apply", sent)

-- a map's items and results: chunks of every size, a result that is not
-- a number (or nil) anywhere, a results table past its first chunk
local xs = {}
for i = 1, 20000 do xs[i] = special[i % #special + 1] end
for _, chunk in ipairs{1, 7, 64, 1000, 20000} do
  local ys = p:map(function(x)
    if x == 128 then return "s" elseif x == 0.5 then return nil end
    return x
  end, xs, chunk)
  assert(ys.n == #xs)
  for i = 1, #xs do
    local want = xs[i] == 128 and "s" or xs[i] ~= 0.5 and xs[i] or nil
    assert(same(want, ys[i]), "map item " .. i .. " chunk " .. chunk)
  end
end
print("map ok")

-- starmap's tuples, each a small array of numbers
local pairsList = {}
for i = 1, 5000 do pairsList[i] = {i, i / 2} end
local sums = p:starmap(function(a, b) return a + b end, pairsList)
for i = 1, 5000 do assert(sums[i] == i + i / 2 and math.type(sums[i]) == "float") end
print("starmap ok")
