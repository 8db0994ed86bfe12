-- The pool across MPI ranks against the local pool. Run twice by
-- scripts/bench: under `mpirun --oversubscribe -n 3` (rank 0 runs the
-- script; ranks 1 and 2 each supervise one worker: the pool's 2 workers
-- are remote), and as a plain run (a local pool of 2 workers). Each run:
-- the `tiny` map (x * x over 1,000,000 integers, default chunks, 3 timed
-- after a warm-up) and the `cpu` tasks (8 tasks of the integer sum of
-- i * i for i = 1..20,000,000, one per chunk). Goals: `cpu` within 10% of
-- the local pool, `tiny` within 3x of the local pool's time.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 100000 or 1000000
local m = timing.quick() and 2000000 or 20000000
local xs = {}
for i = 1, n do xs[i] = i end
local tasks = {}
for i = 1, 8 do tasks[i] = m end

local function square(x) return x * x end
local function work(k)
  local s = 0
  for i = 1, k do s = s + i * i end
  return s
end

local p <close> = mp.Pool(2)
timing.info((mp.world().mpi and "under MPI: " or "local: ") .. p:apply(function()
  return mp.current_process().name
end))
p:map(square, xs)
p:map(work, {1, 2}, 1)
for _ = 1, 3 do
  timing.start("tiny")
  local ys = p:map(square, xs)
  timing.stop("tiny")
  assert(ys.n == n and ys[n] == n * n)
end
timing.start("cpu")
local sums = p:map(work, tasks, 1)
timing.stop("cpu")
assert(sums.n == 8)
