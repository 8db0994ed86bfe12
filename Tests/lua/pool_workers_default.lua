-- Without -j or LUAPOOL_WORKERS the global pool has a worker per CPU this
-- process may run on, as many as nproc prints and mp.cpu_count() returns.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local f = assert(io.popen("nproc"))
local nproc = f:read("n")
f:close()
print("cpu_count is nproc", mp.cpu_count() == nproc, math.type(mp.cpu_count()))

local xs = {}
for i = 1, 6 * nproc do xs[i] = i end
local r = pool.map(function() T.spin(0.03) return mp.current_process().name end, xs, 1)
local names = T.distinct(r)
local expected = {}
for i = 1, nproc do expected[i] = "PoolWorker-" .. i end
table.sort(expected)
print("one worker per CPU", table.concat(names, " ") == table.concat(expected, " "))
