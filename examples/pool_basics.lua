-- A pool's everyday calls: map and starmap in a pool that `<close>` shuts
-- down at the end of its block, then the same pool life written out with
-- close() and join().
--   scripts/run examples/pool_basics.lua
local mp = require "multiprocessing"

local function square(x) return x * x end
local function multiply(a, b) return a * b end

do
  local p <close> = mp.Pool(2)
  local squares = p:map(square, {1, 2, 3, 4, 5})
  print("squares: " .. table.concat(squares, " "))
  local products = p:starmap(multiply, {{2, 10}, {3, 3}, {10, 2}})
  print("products: " .. table.concat(products, " "))
end -- here the pool finishes its work and its workers leave

local p = mp.Pool(2)
local lengths = p:map(function(s) return #s end, {"fork", "join", "pool"})
print("lengths: " .. table.concat(lengths, " "))
p:close()   -- no more work
p:join()    -- wait for the workers to leave
print("done")
