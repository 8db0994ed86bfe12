-- The cost of progress: the 1,000,000-item map of `tiny` (x * x, 2
-- workers, default chunks) with progress = "log" against the same map
-- without, alternating in one run. "log" keeps the same count of items
-- done (answers in, and items inside the workers' chunks) at every wake of
-- the wait as a bar on a terminal does; the bar writes at most 10 lines a
-- second more. Goal: at most 5% slower. The figure is the ratio of the
-- mean times of one run (stderr, with the log lines, is not kept).
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 100000 or 1000000
local xs = {}
for i = 1, n do xs[i] = i end

local function square(x) return x * x end

local p <close> = mp.Pool(2)
local function run(options)
  local ys = p:map(square, xs, options)
  assert(ys.n == n and ys[1] == 1 and ys[n] == n * n)
end

run()
run({progress = "log"})
for _ = 1, 5 do
  timing.start("without")
  run()
  timing.stop("without")
  timing.start("with")
  run({progress = "log"})
  timing.stop("with")
end
