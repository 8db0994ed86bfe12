-- seed = S: item i runs after math.randomseed(S, i), so the numbers do
-- not depend on the worker count, the chunking or the call.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function draw() return math.random(1, 1000000000) end
local function draws(x) return draw() .. "," .. draw() .. "," .. math.random() end
local xs = {}
for i = 1, 20 do xs[i] = i end

-- what item i must see
local expected = {}
for i = 1, 20 do
  math.randomseed(42, i)
  expected[i] = draws()
end
local function same(r)
  if r.n ~= 20 then return false end
  for i = 1, 20 do if r[i] ~= expected[i] then return false end end
  return true
end

local one = mp.Pool{processes = 1, seed = 42}
local three = mp.Pool{processes = 3, seed = 42}
print("1 worker", same(one:map(draws, xs)))
print("3 workers", same(three:map(draws, xs)))
print("3 workers, chunksize 1", same(three:map(draws, xs, 1)))
print("3 workers, chunksize 7", same(three:map(draws, xs, 7)))
print("again", same(three:map(draws, xs)))
print("starmap", same(three:starmap(draws, (function() local t = {} for i = 1, 20 do t[i] = {i} end return t end)())))
print("map_async", same(three:map_async(draws, xs):get()))
local got = {n = 20}
for i, v in three:imap_unordered(draws, xs, 2) do got[i] = v end
print("imap_unordered", same(got))
got = {n = 20}
for i, v in one:imap(draws, xs) do got[i] = v end
print("imap", same(got))
-- the items differ from each other
print("items differ", expected[1] ~= expected[2])
-- another seed, other numbers
local other = mp.Pool{processes = 2, seed = 43}
local r = other:map(draws, xs)
print("seed 43 differs", r[1] ~= expected[1])
one:terminate()
three:terminate()
other:terminate()
