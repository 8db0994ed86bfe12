-- imap (in order) and imap_unordered (as they finish): index and value
-- pairs, chunksize, early break, a failing item raising from the loop.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function square(x) return x * x end
local p <close> = mp.Pool(2)

local seen = {}
for i, v in p:imap(square, {1, 2, 3, 4, 5}) do seen[#seen + 1] = i .. "=" .. v end
print("imap", table.concat(seen, " "))

-- in order even when the first item finishes last
seen = {}
local spin = T.spin
local function slowfirst(x) if x == 1 then spin(0.2) end return x * 10 end
for i, v in p.imap(slowfirst, {1, 2, 3, 4}) do seen[#seen + 1] = i .. "=" .. v end
print("imap slow first", table.concat(seen, " "))

-- chunksize and xs.n with nil items and nil results
seen = {}
for i, v in p:imap(function(x) return x end, {1, nil, 3, n = 4}, 2) do seen[#seen + 1] = i .. "=" .. tostring(v) end
print("imap n", table.concat(seen, " "))

-- empty input: the loop body never runs
local runs = 0
for _ in p:imap(square, {n = 0}) do runs = runs + 1 end
for _ in p:imap_unordered(square, {}) do runs = runs + 1 end
print("empty", runs)

-- imap_unordered: every index once, the value belonging to it
local got = {}
for i, v in p:imap_unordered(square, {1, 2, 3, 4, 5, 6}) do got[#got + 1] = i .. "=" .. v end
table.sort(got)
print("unordered", table.concat(got, " "))

-- as they finish: with one item per worker, the slow first item comes last
local order = {}
for i in p.imap_unordered(slowfirst, {1, 2}) do order[#order + 1] = i end
print("unordered slow first", table.concat(order, " "))

got = {}
for i, v in p:imap_unordered(function(x) return x end, {"a", nil, "c", n = 3}, 3) do got[#got + 1] = i .. "=" .. tostring(v) end
table.sort(got)
print("unordered n", table.concat(got, " "))

-- breaking out early, then the pool goes on
for i in p:imap(square, {1, 2, 3, 4, 5, 6, 7, 8}) do if i == 2 then break end end
for i in p:imap_unordered(square, {1, 2, 3, 4, 5, 6, 7, 8}) do break end
print(T.show(p:map(square, {1, 2, 3})))

-- a failing item raises from the loop; items before it were delivered
seen = {}
local err = T.errorof(function()
  for i, v in p:imap(function(x) if x == 3 then error("bad item " .. x) end return x end, {1, 2, 3, 4}, 1) do
    seen[#seen + 1] = i
  end
end)
print(T.head(err, 2))
print("delivered before the error", table.concat(seen, " "))
err = T.errorof(function()
  for _ in p:imap_unordered(function(x) if x == 2 then error("unordered " .. x) end return x end, {1, 2, 3}) do end
end)
print(T.head(err, 2))
print(T.show(p:map(square, {4})))

-- global pool, both styles
seen = {}
for i, v in pool.imap(square, {3, 4}) do seen[#seen + 1] = i .. "=" .. v end
for i, v in pool:imap(square, {5}) do seen[#seen + 1] = i .. "=" .. v end
print("global", table.concat(seen, " "))
