-- startup.lua with workers that start fresh (start = "spawn"): a whole
-- script that makes a pool of 2, maps 2 items and closes it, the pool's
-- part marked. Twin: startup_spawn.py (Python's "spawn" context).
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local function id(x) return x end

timing.start("startup")
local p = mp.Pool{processes = 2, start = "spawn"}
local r = p:map(id, {1, 2})
p:close()
p:join()
timing.stop("startup")
assert(r.n == 2 and r[2] == 2)
