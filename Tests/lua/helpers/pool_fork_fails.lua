-- Run by PoolSystemFailureTests with a preloaded library that makes
-- fork() fail while the file named by TEST_FORK_FAILS_WHILE exists: a
-- replacement worker that cannot be forked is an error, never a hang, and
-- the pool tries again at the next call.
local mp = require "multiprocessing"
local flag = assert(os.getenv("TEST_FORK_FAILS_WHILE"))
local function forks(fail)
  if fail then assert(io.open(flag, "w")):close() else os.remove(flag) end
end
local function show(ok, ...)
  local parts = {tostring(ok)}
  for i = 1, select("#", ...) do
    parts[#parts + 1] = (tostring((select(i, ...))):gsub("pid %d+", "pid P"):gsub("PoolWorker%-%d+", "PoolWorker-N"))
  end
  return table.concat(parts, "\t")
end

local p = mp.Pool(1)
print(show(pcall(function() return p:map(function(x) return x * 2 end, {1, 2})[2] end)))
forks(true)
print(show(pcall(p.apply, function() os.exit(1) end)))
print(show(pcall(p.map, function(x) return x end, {1, 2})))
print(show(pcall(p.apply, function(x) return x end, {1})))
print(show(pcall(mp.Pool, 2)))
print(show(pcall(function() mp.Process(print):start() end)))
print(show(pcall(pool.map, function(x) return x end, {1})))
forks(false)
print(show(pcall(function() return p:map(function(x) return x * 3 end, {1, 2})[2] end)))
print(show(pcall(function() return pool.map(function(x) return x * 4 end, {1, 2})[2] end)))
p:close()
p:join()
