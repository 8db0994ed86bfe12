-- Synchronous p:apply(id, {x}) round trips of an identity function on a
-- pool of 2. Twin: apply_rtt.py. Goal: median at most 20 us per call.
-- Each run: 200 warm-up calls, then 2,000 timed calls in batches of 50; a
-- sample is the mean time of one call in a batch (a script cannot read a
-- wall clock per call, and one call is shorter than the driver's wake-up),
-- and the result is the median over the batches.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local calls, batch = 2000, 50

local function id(x) return x end

local p <close> = mp.Pool(2)
for i = 1, 200 do
  assert(p:apply(id, {i}) == i)
end
for b = 1, calls // batch do
  timing.start("apply")
  for i = 1, batch do
    p:apply(id, {i})
  end
  timing.stop("apply", batch)
  assert(p:apply(id, {b}) == b)
end
