-- Long lists of numbers go through the codec's C loops for runs of
-- numbers, both ways (host to worker, worker to host); every width of
-- integer, every kind of float, and other values breaking the runs at
-- every place, including batch edges, must come back exactly.
local mp = require "multiprocessing"
local p <close> = mp.Pool(2)

local function same(a, b)
  if math.type(a) ~= math.type(b) then return false end
  if a ~= a then return b ~= b end
  if a == 0 and b == 0 and math.type(a) == "float" then return 1 / a == 1 / b end
  return a == b
end

local edges = {0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768,
  2147483647, 2147483648, -2147483648, -2147483649,
  math.maxinteger, math.mininteger, math.maxinteger - 1, math.mininteger + 1,
  0.0, -0.0, 1.5, -1.5, 1e308, -1e308, 5e-324, math.huge, -math.huge, 0 / 0,
  2.0^53, 2.0^63, -(2.0^63), 3.0, -3.0, math.pi}

-- 10,000 items: the edges over and over, with a string, a table, a
-- boolean or a hole at places around the batch edges (64, 4096).
local n = 10000
local xs = {n = n}
for i = 1, n do xs[i] = edges[(i - 1) % #edges + 1] end
local breaks = {1, 63, 64, 65, 127, 128, 129, 4095, 4096, 4097, 8191, 8192, 8193, n}
for k, i in ipairs(breaks) do
  local kind = k % 4
  if kind == 0 then xs[i] = "s" .. i
  elseif kind == 1 then xs[i] = {i}
  elseif kind == 2 then xs[i] = (i % 2 == 0)
  else xs[i] = nil end
end

local function id(x) return x end
local ys = p:map(id, xs, 5000)
local wrong = 0
for i = 1, n do
  local x, y = xs[i], ys[i]
  local ok
  if type(x) == "table" then ok = type(y) == "table" and y[1] == x[1]
  elseif type(x) == "number" then ok = same(x, y)
  else ok = x == y end
  if not ok then
    wrong = wrong + 1
    if wrong <= 5 then print("item " .. i .. ": sent " .. tostring(x) .. " (" .. tostring(math.type(x)) .. "), got "
      .. tostring(y) .. " (" .. tostring(math.type(y)) .. ")") end
  end
end
print("map", ys.n, "wrong", wrong)

-- Results of another kind than the items: integers in, floats and strings out.
local zs = p:map(function(x) return x % 7 == 0 and tostring(x) or x / 2 end, (function()
  local t = {} for i = 1, 9000 do t[i] = i end return t end)(), 3000)
local bad = 0
for i = 1, 9000 do
  local want = i % 7 == 0 and tostring(i) or i / 2
  if zs[i] ~= want or math.type(zs[i]) ~= math.type(want) then bad = bad + 1 end
end
print("mixed results", zs.n, "wrong", bad)

-- A function that returns nothing gives nil for every item.
local nils = p:map(function() end, xs, 2500)
local any = 0
for i = 1, n do if nils[i] ~= nil then any = any + 1 end end
print("nils", nils.n, "non-nil", any)

-- Tables of numbers as values (an apply's argument and result, which the
-- general encoder writes): every value back, with a hole, non-numbers, keys
-- out of order and keys beside the list.
local function check(name, t, u)
  local bad = 0
  for k, v in pairs(t) do
    local w = u[k]
    if type(v) == "table" then
      if type(w) ~= "table" or w[1] ~= v[1] then bad = bad + 1 end
    elseif not (type(v) == "number" and same(v, w) or v == w) then bad = bad + 1 end
  end
  for k in pairs(u) do if t[k] == nil then bad = bad + 1 end end
  print(name, "wrong", bad)
end
local big = {}
for i = 1, 20000 do big[i] = edges[(i - 1) % #edges + 1] end
check("numbers", big, p:apply(id, {big}))
big[5000], big[9000] = "five thousand", {9000}
big.name, big[0], big[-1], big[1.5] = "big", 0, -1, 1.5
check("mixed", big, p:apply(id, {big}))
big[12000] = nil
check("hole", big, p:apply(id, {big}))
local backwards = {}
for i = 300, 1, -1 do backwards[i] = i * 0.5 end
check("backwards", backwards, p:apply(id, {backwards}))
local sparse = {x = 1, y = 2, z = 3}
sparse[1] = 10  -- may sit in the hash part
check("sparse", sparse, p:apply(id, {sparse}))
check("loads", big, mp.loads(mp.dumps(big)))

-- An error in the middle of a run of numbers names its item, with the
-- function's traceback; results that are not numbers after a run (nil, then
-- runs again, then a table) and items that are not numbers inside one come
-- back in place.
local seq = {}
for i = 1, 20000 do seq[i] = i end
local ok, err = pcall(p.map, p, function(x) if x == 12345 then error("boom") end return x end, seq, 20000)
print("error", ok, err:match("^[^\n]*boom %(item %d+"), select(2, err:gsub("\n", "\n")) >= 2)
seq[777] = "777"
local out = p:map(function(x)
  if type(x) == "string" then return -1 elseif x == 9000 then return {x} elseif x == 5000 then return nil end
  return x * 2
end, seq, 20000)
local off = 0
for i = 1, 20000 do
  local want = i == 777 and -1 or i * 2
  if i == 9000 then
    if not (type(out[i]) == "table" and out[i][1] == 9000) then off = off + 1 end
  elseif i == 5000 then
    if out[i] ~= nil then off = off + 1 end
  elseif out[i] ~= want then off = off + 1 end
end
print("runs broken", out.n, "wrong", off)
