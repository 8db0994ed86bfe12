-- Large chunks (over 256 items, streamed through the workers) and small
-- ones (values on both sides) must give the same results for every kind
-- of item and result: a seeded mix, mapped with chunks of 1,000 and of 7,
-- compared deeply (math.type too).
local mp = require "multiprocessing"
local p <close> = mp.Pool(2)

math.randomseed(42)
local n = 2000
local xs = {n = n}
local shared = {tag = "shared"}
for i = 1, n do
  local k = math.random(9)
  if k == 1 then xs[i] = math.random(-1000000, 1000000)
  elseif k == 2 then xs[i] = math.random() * 1e6
  elseif k == 3 then xs[i] = "s" .. i .. string.rep("x", math.random(0, 60))
  elseif k == 4 then xs[i] = (i % 2 == 0)
  elseif k == 5 then xs[i] = nil
  elseif k == 6 then xs[i] = {i, {i * 2, name = "n" .. i}, [i + 0.5] = true}
  elseif k == 7 then xs[i] = shared
  elseif k == 8 then xs[i] = math.maxinteger - i
  else xs[i] = -0.0 end
end

-- Each kind of value comes back changed, keeping its type.
local function f(x)
  local t = type(x)
  if t == "number" then
    if math.type(x) == "integer" then return x // 3 end
    return x / 3
  elseif t == "string" then return x:upper()
  elseif t == "boolean" then return not x
  elseif t == "table" then return {copy = x, size = #x}
  end
  return nil
end

local function same(a, b, seen)
  if type(a) ~= type(b) then return false end
  if type(a) == "number" then
    return math.type(a) == math.type(b) and (a == b or (a ~= a and b ~= b))
      and (a ~= 0 or 1 / a == 1 / b)
  end
  if type(a) ~= "table" then return a == b end
  seen = seen or {}
  if seen[a] then return seen[a] == b end
  seen[a] = b
  for k, v in pairs(a) do if not same(v, b[k], seen) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

local large = p:map(f, xs, 1000)
local small = p:map(f, xs, 7)
local local_ = {n = n}
for i = 1, n do local_[i] = f(xs[i]) end
print("large chunks match the script's own calls", same(large, local_))
print("small chunks match the script's own calls", same(small, local_))
print("n", large.n, small.n)
