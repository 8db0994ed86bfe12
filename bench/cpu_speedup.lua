-- 8 CPU-bound tasks (the integer sum of i * i for i = 1..50,000,000) on a
-- pool of 2, against the same 8 calls run one after the other in the host.
-- Goal: the pool at least 1.9x faster than serial. Twin: cpu_speedup.py
-- (the pool part only; for information). The sum wraps around modulo 2^64
-- as Lua integers do.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 5000000 or 50000000
local tasks = {}
for i = 1, 8 do tasks[i] = n end

local function work(m)
  local s = 0
  for i = 1, m do s = s + i * i end
  return s
end

local p <close> = mp.Pool(2)
p:map(work, {1, 2}, 1)

timing.start("parallel")
local got = p:map(work, tasks, 1)
timing.stop("parallel")

timing.start("serial")
local want = {}
for i = 1, #tasks do want[i] = work(tasks[i]) end
timing.stop("serial")

assert(got.n == #tasks)
for i = 1, #tasks do assert(got[i] == want[i]) end
