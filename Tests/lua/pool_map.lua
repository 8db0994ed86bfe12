-- map: results in input order with n; nil results are holes n counts;
-- xs.n decides the number of items; empty input; both call styles.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function square(x) return x * x end

print(T.show(pool.map(square, {1, 2, 3, 4, 5})))
print(T.show(pool:map(square, {1, 2, 3})))
print(T.show(pool.map(function(x) return x end, {"a", 2.5, true, 7})))
-- only the first result of each call
print(T.show(pool.map(function(x) return x, "second" end, {10, 20})))
-- nil results stay holes
print(T.show(pool.map(function(x) if x % 2 == 0 then return x end end, {1, 2, 3, 4, 5})))
print(T.show(pool.map(function() end, {1, 2, 3})))
-- xs.n counts nil items; an integer n wins over #xs
print(T.show(pool.map(function(x) return x == nil end, {1, nil, 3, n = 4})))
print(T.show(pool.map(function(x) return x end, {1, 2, 3, 4, n = 2})))
-- empty input
print(T.show(pool.map(square, {n = 0})))
print(T.show(pool.map(square, {})))
-- a number n that is not a whole number is a bad argument
print(T.errorof(function() return pool.map(square, {1, 2, n = 1.5}) end))

local p = mp.Pool(2)
print(T.show(p:map(square, {6, 7})))
print(T.show(p.map(square, {8, 9})))
print(T.show(p:map(function(t) return t.a + t.b end, {{a = 1, b = 2}, {a = 3, b = 4}})))
-- tables come back as tables
local r = p:map(function(x) return {x, {x * 2}, k = "v" .. x} end, {1, 2})
print(T.repr(r[1]), T.repr(r[2]), r.n)
-- many items, more than one chunk per worker
local xs = {}
for i = 1, 1000 do xs[i] = i end
local sq = p:map(square, xs)
local ok = sq.n == 1000
for i = 1, 1000 do ok = ok and sq[i] == i * i end
print("1000 items", ok)
-- upvalues travel with the function
local offset = 100
print(T.show(p:map(function(x) return x + offset end, {1, 2})))
p:close()
p:join()
