-- One p:apply(id, {xs}) round trip of an array of 1,000,000 floats on a
-- pool of 2: the array goes to a worker and comes back. Twin: big_value.py.
-- No goal set by an issue. Each run: one warm-up call, then 5 timed.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 100000 or 1000000
local xs = {}
for i = 1, n do xs[i] = i * 0.1 + 1 / 3 end

local function id(x) return x end

local p <close> = mp.Pool(2)
for i = 0, 5 do
  if i > 0 then timing.start("apply") end
  local ys = p:apply(id, {xs})
  if i > 0 then timing.stop("apply") end
  assert(#ys == n and ys[n] == xs[n])
end
