-- One synchronous p:apply(f, {x}) round trip on a pool of 2, many times.
-- Twin: apply_roundtrip.py. Goal: median at most 20 us.
-- Each run: 2,000 warm-up calls, then 20,000 timed calls in batches of 100;
-- a sample is the mean time of one call in a batch (a script cannot read a
-- wall clock per call), and the result is the median over the batches.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local quick = timing.quick()
local batches = quick and 50 or 200
local batch = 100

local function inc(x) return x + 1 end

local p <close> = mp.Pool(2)
for i = 1, quick and 500 or 2000 do
  assert(p:apply(inc, {i}) == i + 1)
end
for b = 1, batches do
  timing.start("apply")
  for i = 1, batch do
    p:apply(inc, {i})
  end
  timing.stop("apply", batch)
  assert(p:apply(inc, {b}) == b + 1)
end
