-- memory = bytes (or "512MB", "2GiB"): a task may add at most that much
-- to its worker's Lua heap, above what the worker held after a collection
-- at the task's start. Past it the task fails with "not enough memory"
-- (kind "memory"); the worker collects and survives.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

-- the host holds about 40 MB before the fork: the workers inherit it, and
-- it does not count against a task's cap
local ballast = {}
for i = 1, 1000000 do ballast[i] = i * 1.5 end

local p <close> = mp.Pool(1)
local function pid() return mp.current_process().pid end
local before = p:apply(pid)
local function grow(mb)
  local t = {}
  for i = 1, mb * 1024 * 1024 // 16 do t[i] = i end
  return #t > 0
end

print("5 MB under a 20MB cap:", p:apply(grow, {5}, {memory = "20MB"}))
print(T.head(T.errorof(p.apply, grow, {100}, {memory = "20MB"}), 1))
print("same worker:", p:apply(pid) == before)
local r, f = p:map(grow, {1, 200, 2}, {memory = 32 * 1024 * 1024, errors = "collect"})
print(T.show(r), f[1].index, f[1].kind, f[1].message)
print("same worker:", p:apply(pid) == before)
-- a string past the cap
print(T.head(T.errorof(p.apply, function() return #string.rep("x", 50e6) end, {}, {memory = "1MiB"}), 1))
-- the cap is only in force while a task runs: the next one without it grows freely
print("100 MB without a cap:", p:apply(grow, {100}))

-- sizes
for _, size in ipairs{"512MB", "2GiB", "100kB", "1.5 MiB", "64", 1e6} do
  print("size", T.repr(size), T.errorof(p.apply, function() return true end, {}, {memory = size}))
end
for _, bad in ipairs{"12 parsecs", "-5MB", "0", 0, -1, 1.5, "MB", true} do
  print(T.errorof(p.apply, function() return true end, {}, {memory = bad}))
end
print(#ballast)
