-- Pools that became garbage without being closed let their workers go:
-- creating a pool while others are unfinished runs a collection first.
local mp = require "multiprocessing"
local me = mp.current_process().pid
-- The children of this process; `running`: not those that have exited
-- and wait to be reaped (a zombie holds no memory; ended workers are
-- reaped at the next call that waits).
local function children(running)
  local f = assert(io.popen("ps --ppid " .. me .. " -o stat=,comm="))
  local n = 0
  for line in f:lines() do
    if not line:match(" ps$") and not line:match(" sh$")
       and not (running and line:match("^Z")) then n = n + 1 end
  end
  f:close()
  return n
end
for i = 1, 100 do
  local p = mp.Pool(2)
  p:map(function(x) return x end, {1, 2})
end
print("children after 100 pools, at most 4", children(true) <= 4)
-- the default pool counts too
pool.map(function(x) return x end, {1, 2})
print("with the default pool, at most 6", children() <= 6)
