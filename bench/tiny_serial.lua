-- tiny.lua's map as a plain loop in one process, run by `lua5.4`: the
-- same function called on each of 1..1,000,000, the results into a new
-- table with its n. The pool should not be slower than this.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"

local n = timing.quick() and 100000 or 1000000
local xs = {}
for i = 1, n do xs[i] = i end

local function square(x) return x * x end

local function run()
  local ys = {n = n}
  for i = 1, n do ys[i] = square(xs[i]) end
  assert(ys.n == n and ys[1] == 1 and ys[n] == n * n)
end

run()
for _ = 1, 3 do
  timing.start("map")
  run()
  timing.stop("map")
end
