-- seed = S: item i of the pool's k-th call (from 0) runs after
-- math.randomseed(S, k * 2^32 + i), so the numbers do not depend on the
-- worker count or the chunking, and every call draws new ones.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function draw() return math.random(1, 1000000000) end
local function draws(x) return draw() .. "," .. draw() .. "," .. math.random() end
local xs = {}
for i = 1, 20 do xs[i] = i end

-- what item i of call k must see, as a serial loop computes it
local function expected(k, i)
  math.randomseed(42, k * 2^32 + i)
  return draws()
end
local function same(r, k)
  if r.n ~= 20 then return false end
  for i = 1, 20 do if r[i] ~= expected(k, i) then return false end end
  return true
end

local one = mp.Pool{processes = 1, seed = 42}
local three = mp.Pool{processes = 3, seed = 42}
-- the first call keeps math.randomseed(S, i): a serial loop replays it
print("first call, 1 worker", same(one:map(draws, xs), 0))
print("first call, 3 workers", same(three:map(draws, xs, 1), 0))
print("call 1, chunksize 7", same(three:map(draws, xs, 7), 1))
print("call 2", same(three:map(draws, xs), 2))
print("call 1 of the other pool", same(one:map(draws, xs, 3), 1))
print("starmap, call 3", same(three:starmap(draws, (function() local t = {} for i = 1, 20 do t[i] = {i} end return t end)()), 3))
print("map_async, call 4", same(three:map_async(draws, xs):get(), 4))
local got = {n = 20}
for i, v in three:imap_unordered(draws, xs, 2) do got[i] = v end
print("imap_unordered, call 5", same(got, 5))
got = {n = 20}
for i, v in three:imap(draws, xs) do got[i] = v end
print("imap, call 6", same(got, 6))
-- refused calls do not count
print(T.errorof(three.map, draws, nil))
print(T.errorof(three.map, io.stdout, xs))
-- replicates: every apply is a call of its own, with its own numbers
local replicates, distinct = {}, {}
for k = 7, 11 do
  local v = three:apply(draws, {1})
  replicates[#replicates + 1] = v == expected(k, 1)
  distinct[v] = true
end
local n = 0
for _ in pairs(distinct) do n = n + 1 end
print("five applies", table.concat((function() local t = {} for i, v in ipairs(replicates) do t[i] = tostring(v) end return t end)(), " "), "distinct", n)
local a, b = three:apply_async(draws, {1}), three:apply_async(draws, {2})
print("apply_async, calls 12 and 13", a:get() == expected(12, 1), b:get() == expected(13, 1))
-- the items differ from each other
print("items differ", expected(0, 1) ~= expected(0, 2))
-- another seed, other numbers
local other = mp.Pool{processes = 2, seed = 43}
local r = other:map(draws, xs)
print("seed 43 differs", r[1] ~= expected(0, 1))
one:terminate()
three:terminate()
other:terminate()
