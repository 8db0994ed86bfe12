-- A whole script that makes a pool of 2, maps 2 items and closes it. Twin:
-- startup.py; baseline: `lua5.4 -e ''`. The driver times each whole
-- process, from before it is started to after it is reaped; the script
-- also marks the pool's part (mp.Pool(2), the map, close, join) so that
-- the in-process time, whose goal is at most 3 ms, comes from the same
-- runs. One pool per process: this is the first pool a script makes.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local function id(x) return x end

timing.start("startup")
local p = mp.Pool(2)
local r = p:map(id, {1, 2})
p:close()
p:join()
timing.stop("startup")
assert(r.n == 2 and r[2] == 2)
