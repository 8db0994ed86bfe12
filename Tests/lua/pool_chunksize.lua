-- chunksize: consecutive items of one chunk run in one worker, one after
-- the other. Item 1 is slow, so that with smaller chunks the other worker
-- would take the items after it.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"
local spin = T.spin

local function where(x)
  if x == 1 then spin(0.1) end
  return mp.current_process().pid
end
local p = mp.Pool(2)

-- pids of items a..b all the same
local function onechunk(pids, a, b)
  for i = a + 1, b do if pids[i] ~= pids[a] then return false end end
  return true
end
local xs = {}
for i = 1, 12 do xs[i] = i end

local pids = p:map(where, xs, 4)
print("map chunks of 4", pids.n, onechunk(pids, 1, 4), onechunk(pids, 5, 8), onechunk(pids, 9, 12))
pids = p:map(where, xs, 12)
print("map one chunk", onechunk(pids, 1, 12))
pids = p:map(where, xs, 100)
print("chunksize above the count", pids.n, onechunk(pids, 1, 12))
pids = p:starmap(where, {{1}, {2}, {3}, {4}, {5}, {6}}, 3)
print("starmap chunks of 3", onechunk(pids, 1, 3), onechunk(pids, 4, 6))
pids = p:map_async(where, xs, 6):get()
print("map_async chunks of 6", onechunk(pids, 1, 6), onechunk(pids, 7, 12))
local got = {}
for i, pid in p:imap(where, xs, 6) do got[i] = pid end
got.n = 12
print("imap chunks of 6", onechunk(got, 1, 6), onechunk(got, 7, 12))
got = {}
for i, pid in p:imap_unordered(where, xs, 4) do got[i] = pid end
got.n = 12
print("imap_unordered chunks of 4", onechunk(got, 1, 4), onechunk(got, 5, 8), onechunk(got, 9, 12))

-- exact chunk boundaries: with maxtasksperchild = 1 every chunk runs in a
-- worker of its own, so the pids tell the chunks apart
local fresh = mp.Pool{processes = 2, maxtasksperchild = 1}
local function chunks(size, count)
  local items = {}
  for i = 1, count do items[i] = i end
  local r = fresh:map(function() return mp.current_process().pid end, items, size)
  local sizes, last = {}, nil
  for i = 1, r.n do
    if r[i] == last then sizes[#sizes] = sizes[#sizes] + 1 else sizes[#sizes + 1] = 1 end
    last = r[i]
  end
  return table.concat(sizes, " ")
end
print("chunk sizes", chunks(4, 12), "|", chunks(5, 12), "|", chunks(12, 12), "|", chunks(1, 3), "|", chunks(3, 2))
-- the default for map: four chunks per worker (16 items, 2 workers: 2 each)
print("default chunks", chunks(nil, 16))
-- imap's default: one item a chunk
local pids = {}
for i, pid in fresh:imap(function() return mp.current_process().pid end, {1, 2, 3, 4}) do pids[i] = pid end
print("imap default", #T.distinct(pids))
fresh:terminate()

-- within a chunk items run in order: each sees the previous item's trace
local function trace(x)
  seen_in_worker = (seen_in_worker or "") .. x .. " "
  return seen_in_worker
end
local r = p:map(trace, {1, 2, 3}, 3)
print("in order", r[3]:match("1 2 3 $") ~= nil)

-- two chunks and two idle workers: each worker takes one, so two slow
-- items take the time of one
pids = p:map(function() spin(0.1) return mp.current_process().pid end, {1, 2}, 1)
print("two chunks, two workers", pids[1] ~= pids[2])
pids = p:map(function() spin(0.1) return mp.current_process().pid end, {1, 2, 3, 4}, 2)
print("two chunks of 2, two workers", pids[1] == pids[2], pids[3] == pids[4], pids[1] ~= pids[3])

-- a failing item in the middle of a chunk names itself
local err = T.errorof(function() return p:map(function(x) if x == 6 then error("six") end return x end, xs, 4) end)
print(T.head(err, 1))
p:terminate()
