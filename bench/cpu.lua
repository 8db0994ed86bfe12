-- 8 CPU-bound tasks (the integer sum of i * i for i = 1..50,000,000) on a
-- pool of 2, against the same 8 calls run one after the other in the host:
-- the pool's speed-up over serial. Goal: at least 1.9x. Twin: cpu.py, the
-- same for Python against its own serial run. The sum wraps around modulo
-- 2^64 as Lua integers do.
--
-- For reference it also times the machine's own ceiling: the same work as
-- two plain luapool processes of 4 tasks each, started with os.execute,
-- no pool. The CPUs of a virtual machine need not give 2x: when both are
-- busy, each may run slower than one alone.
--
-- Order within a run: pool, processes, serial, processes, pool. The speed
-- of this machine's CPUs drifts by tens of percent over seconds; the driver
-- takes each ratio within a run (mean serial time over mean pool time), and
-- the mirrored order cancels a steady drift.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 2000000 or 50000000
local tasks = {}
for i = 1, 8 do tasks[i] = n end

local function work(m)
  local s = 0
  for i = 1, m do s = s + i * i end
  return s
end

local p <close> = mp.Pool(2)
p:map(work, {1, 2}, 1)

local function parallel()
  timing.start("parallel")
  local got = p:map(work, tasks, 1)
  timing.stop("parallel")
  return got
end

local function serial()
  timing.start("serial")
  local want = {}
  for i = 1, #tasks do want[i] = work(tasks[i]) end
  timing.stop("serial")
  return want
end

-- The luapool binary running this script: arg's lowest index.
local first = -1
while arg[first - 1] do first = first - 1 end
local exe = "'" .. arg[first]:gsub("'", "'\\''") .. "'"
local code = string.format(
  "local s = 0 for k = 1, 4 do for i = 1, %d do s = s + i * i end end", n)
local command = string.format("%s -e '%s' & %s -e '%s' & wait", exe, code, exe, code)
local function processes()
  timing.start("processes")
  assert(os.execute(command))
  timing.stop("processes")
end

local got = parallel()
processes()
local want = serial()
processes()
parallel()
assert(got.n == #tasks)
for i = 1, #tasks do assert(got[i] == want[i]) end
