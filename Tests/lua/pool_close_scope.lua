-- local p <close> = mp.Pool(n): close + join when the scope ends normally
-- (submitted work finishes), terminate when it ends by an error.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local spin = T.spin
local function square(x) return x * x end

-- normal exit: async work submitted in the scope is finished afterwards
local kept, pending, pids
do
  local p <close> = mp.Pool(2)
  kept = p
  pids = p:map(function() return mp.current_process().pid end, {1, 2}, 1)
  pending = p:map_async(function(x) spin(0.1) return x * 10 end, {1, 2, 3}, 1)
  print("inside", T.show(p:map(square, {1, 2})))
end
print("after normal exit", pending:ready(), pending:successful(), T.show(pending:get()))
print("closed", T.has(T.errorof(function() return kept:map(square, {1}) end), "pool is closed"))
print("workers gone", not T.exists(pids[1]), not T.exists(pids[2]))

-- exit by error: the pool is terminated, pending work fails, the error
-- is the one raised in the scope
local ok, err = pcall(function()
  local p <close> = mp.Pool(2)
  kept = p
  pids = p:map(function() return mp.current_process().pid end, {1, 2}, 1)
  pending = p:apply_async(function() spin(30) return "finished" end)
  error("leaving the scope")
end)
print("error exit", ok, err)
print("pending failed", pending:ready(), pending:successful(), (pcall(function() return pending:get() end)))
print("terminated", T.has(T.errorof(function() return kept:map(square, {1}) end), "pool was terminated"))
print("workers gone", not T.exists(pids[1]), not T.exists(pids[2]))

-- a table error leaving the scope is kept as it was
local marker = {}
ok, err = pcall(function()
  local p <close> = mp.Pool(1)
  error(marker)
end)
print("table error", ok, err == marker)

-- an error from a task leaving the scope
ok, err = pcall(function()
  local p <close> = mp.Pool(2)
  kept = p
  return p:map(function(x) if x == 2 then error("task failed") end return x end, {1, 2, 3}, 1)
end)
print(ok, T.head(err, 1))
print("terminated", T.has(T.errorof(function() return kept:map(square, {1}) end), "pool was terminated"))
