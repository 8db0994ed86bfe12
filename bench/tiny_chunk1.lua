-- p:map(f, xs, 1) over 100,000 items on 2 workers: one item per chunk, so
-- the cost is the per-task overhead. Twin: tiny_chunk1.py.
-- Goal: at least 10x Python's throughput. Each run: one warm-up map of a
-- tenth of the items, then 3 timed maps.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 20000 or 100000
local xs = {}
for i = 1, n do xs[i] = i end
local warm = {}
for i = 1, n // 10 do warm[i] = i end

local function inc(x) return x + 1 end

local p <close> = mp.Pool(2)
p:map(inc, warm, 1)
for _ = 1, 3 do
  timing.start("map")
  local ys = p:map(inc, xs, 1)
  timing.stop("map")
  assert(ys.n == n and ys[n] == n + 1)
end
