-- chunksize = "auto": the pool's own chunking (map and starmap's default),
-- as the third argument, in the options table, and as a pool's default;
-- imap keeps a default of 1 unless told "auto".
local mp = require "multiprocessing"
local function pid() return mp.current_process().pid end
local function changes(pids)
  local n = 0
  for i = 2, #pids do if pids[i] ~= pids[i - 1] then n = n + 1 end end
  return n
end
local xs = {}
for i = 1, 1000 do xs[i] = i end

local p <close> = mp.Pool(2)
local ys = p:map(function(x) return x * 2 end, xs, "auto")
print("map", ys.n, ys[1], ys[1000])
ys = p:map(function(x) return x * 2 end, xs, {chunksize = "auto"})
print("map table", ys.n, ys[1000])
ys = p:starmap(function(a, b) return a + b end, {{1, 2}, {3, 4}}, "auto")
print("starmap", ys.n, ys[1], ys[2])
print("map_async", p:map_async(function(x) return -x end, xs, "auto"):get()[1000])
-- at most eight chunks of 1,000 items on two workers: the worker changes
-- at most seven times along the results
local pids = {}
for i, v in p:imap(pid, xs, "auto") do pids[i] = v end
print("imap auto chunks", changes(pids) <= 7)
pids = p:map(pid, xs, "auto")
print("map auto chunks", changes(pids) <= 7)

local q <close> = mp.Pool{processes = 2, chunksize = "auto"}
pids = {}
for i, v in q:imap(pid, xs) do pids[i] = v end
print("pool default auto", #pids, changes(pids) <= 7)

for _, bad in ipairs{"Auto", "", "auto ", "1"} do
  print(select(2, pcall(p.map, p, pid, xs, bad)))
end
print(select(2, pcall(p.imap, p, pid, xs, {chunksize = "fast"})))
print(select(2, pcall(mp.Pool, {chunksize = "none"})))
