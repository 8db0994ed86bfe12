-- Chunks of more than 256 items travel as one list and are run item by
-- item as they are read, their results written as they come back. Every
-- kind of item and result must survive that, and a failure or a result
-- that cannot be sent must name the right item.
local mp = require "multiprocessing"
local p <close> = mp.Pool(2)

local n = 1000
local xs = {}
for i = 1, n do xs[i] = i end

-- Numbers, strings, booleans, nil results (holes that n counts).
local ys = p:map(function(x)
  if x % 4 == 0 then return nil end
  if x % 4 == 1 then return x * 0.5 end
  if x % 4 == 2 then return "s" .. x end
  return x % 3 == 0
end, xs, 300)
local ok = ys.n == n
for i = 1, n do
  local want
  if i % 4 == 0 then want = nil
  elseif i % 4 == 1 then want = i * 0.5
  elseif i % 4 == 2 then want = "s" .. i
  else want = i % 3 == 0 end
  if ys[i] ~= want or math.type(ys[i]) ~= math.type(want) then ok = false end
end
print("scalars", ok)

-- Tables as results, each new: none may be taken for another (the
-- worker drops each after writing it).
ys = p:map(function(x) return {x, tag = "t" .. x, inner = {x * 2}} end, xs, 500)
ok = true
for i = 1, n do
  local r = ys[i]
  if r[1] ~= i or r.tag ~= "t" .. i or r.inner[1] ~= i * 2 then ok = false end
end
print("tables", ok, ys[1] ~= ys[2])

-- One table returned for several items of a chunk stays one table.
ys = p:map(function(x)
  shared = shared or {}
  return shared
end, xs, 500)
print("shared result", ys[1] == ys[500], ys[501] == ys[1000], ys[1] ~= ys[501])

-- Table items, and functions as results.
local tuples = {}
for i = 1, n do tuples[i] = {i, i + 1} end
ys = p:starmap(function(a, b) return a * b end, tuples, 400)
ok = true
for i = 1, n do if ys[i] ~= i * (i + 1) then ok = false end end
print("starmap", ok, ys.n)
ys = p:map(function(t) return t[2] - t[1] end, tuples, 400)
print("table items", ys[1], ys[n])
ys = p:map(function(x) return function() return x end end, xs, 500)
print("functions", ys[7](), ys[900]())

-- Seeds: the numbers of a serial loop, whatever the chunk size (item i
-- of call k after math.randomseed(7, k * 2^32 + i)).
local q <close> = mp.Pool{processes = 2, seed = 7}
local a = q:map(function() return math.random(1000000) end, xs, 300)
local b = q:map(function() return math.random(1000000) end, xs, 7)
ok = true
for i = 1, n do
  math.randomseed(7, i)
  if a[i] ~= math.random(1000000) then ok = false end
  math.randomseed(7, 2^32 + i)
  if b[i] ~= math.random(1000000) then ok = false end
end
print("seeded", ok)

-- A failure names its item; the pool goes on.
local good, err = pcall(p.map, function(x)
  if x == 777 then error("bad " .. x) end
  return x
end, xs, 300)
print("failure", good, (err:match("^[^\n]*"):gsub("pid %d+", "pid P"):gsub("PoolWorker%-%d", "PoolWorker-N")))

-- A result that cannot be sent names its item and where it is.
good, err = pcall(p.map, function(x)
  if x == 650 then return {log = io.stdout} end
  return x
end, xs, 300)
print("unsendable", good, (err:match("^[^\n]*"):gsub("pid %d+", "pid P"):gsub("PoolWorker%-%d", "PoolWorker-N")))
ys = p:map(function(x) return x + 1 end, xs, 300)
print("after", ys[1], ys[n], ys.n)

-- imap over large chunks, in order.
local count, inorder = 0, true
for i, v in p:imap(function(x) return x * 2 end, xs, 300) do
  count = count + 1
  if v ~= i * 2 or i ~= count then inorder = false end
end
print("imap", count, inorder)

-- A worker that dies inside a large chunk is named with the item it ran.
good, err = pcall(p.map, function(x)
  if x == 650 then os.exit(3) end
  return x
end, xs, 300)
print("death", good, (err:gsub("pid %d+", "pid P"):gsub("PoolWorker%-%d", "PoolWorker-N")))
ys = p:map(function(x) return -x end, xs, 300)
print("after death", ys[1], ys[n], ys.n)

-- A table returned for several items goes as it is when its chunk ends,
-- as in small chunks, not as it was when each item returned it.
ys = p:map(function(x)
  acc = acc or {n = 0}
  acc.n = acc.n + 1
  return acc
end, xs, 500)
print("shared mutable result", ys[1] == ys[500], ys[1].n, ys[500].n)

-- An error raised by a later item of the chunk wins over a result that
-- cannot be sent, as in small chunks: results are sent when all ran.
good, err = pcall(p.map, function(x)
  if x == 650 then return io.stdout end
  if x == 700 then error("later " .. x) end
  return x
end, xs, 300)
print("raised after unsendable", good, (err:match("^[^\n]*"):gsub("pid %d+", "pid P"):gsub("PoolWorker%-%d", "PoolWorker-N")))
