-- p:map(square, xs) over 1..1,000,000 on 2 workers, default chunks.
-- Twins: tiny.py; tiny_serial.lua, the same map as a plain loop under
-- lua5.4. Goals: at most 1/4 of Python's time, and not slower than the loop.
-- Each run: the pool and the list are made first (not timed), one warm-up
-- map, then 3 timed maps.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 100000 or 1000000
local xs = {}
for i = 1, n do xs[i] = i end

local function square(x) return x * x end

local p <close> = mp.Pool(2)
local function run()
  local ys = p:map(square, xs)
  assert(ys.n == n and ys[1] == 1 and ys[n] == n * n)
end

run()
for _ = 1, 3 do
  timing.start("map")
  run()
  timing.stop("map")
end
