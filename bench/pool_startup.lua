-- Start-up of a pool: mp.Pool(2), a first map of 2 items, close, join.
-- Twin: pool_startup.py. Goal: median at most 3 ms.
-- Each run: one pool not timed, then 20 timed, one after the other.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local samples = timing.quick() and 10 or 20

local function id(x) return x end

for i = 0, samples do
  if i > 0 then timing.start("startup") end
  local p = mp.Pool(2)
  local r = p:map(id, {1, 2})
  p:close()
  p:join()
  if i > 0 then timing.stop("startup") end
  assert(r.n == 2 and r[2] == 2)
end
