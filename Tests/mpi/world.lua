-- Under mpirun -n 3: the world, a map over every worker of every rank,
-- where each item ran, and the pids of the host and the workers (the test
-- checks none is left afterwards).
local mp = require "multiprocessing"
local w = mp.world()
print("world", w.mpi, w.ranks, w.workers, w.free, #w)
for _, r in ipairs(w) do print("rank", r.rank, r.workers, r.host ~= nil) end
print("pid " .. mp.current_process().pid)
local r = pool:map(function(x) return {x * x, mp.current_process().name, mp.current_process().pid} end,
                   {1, 2, 3, 4, 5, 6}, 1)
local ranks = {}
for i = 1, r.n do
  ranks[r[i][2]:match("on rank (%d+)")] = true
  print("pid " .. r[i][3])
end
local squares = {}
for i = 1, r.n do squares[i] = r[i][1] end
print("squares", table.concat(squares, " "))
print("ran on ranks", ranks["1"] and 1, ranks["2"] and 2)
print("name", (r[1][2]:gsub("PoolWorker%-%d+", "PoolWorker-N"):gsub("%(.*%)", "(HOST)")))
print("free while the default pool runs", mp.world().free)
-- a pool of one of the job's workers, and a local one
print(pcall(mp.Pool, 1))
pool:close()
pool:join()
local one = mp.Pool(1)
print("one", one:apply(function() return mp.current_process().name:match("on rank %d") end), mp.world().free)
print(select(2, pcall(mp.Pool, 2)))
one:terminate()
local here = mp.Pool{processes = 2, mpi = false}
print("local", here:apply(function() return mp.current_process().name end):match("^PoolWorker%-%d+$") ~= nil)
here:close()
here:join()
-- globals and modules follow the function
K = 7
local lpeg_ok = pcall(require, "lpeg")
local q = mp.Pool()
print("global", q:apply(function() return K * 6 end))
q:close()
q:join()
-- a Process forked by the script runs as without MPI: its pools are local
local child = mp.Process{target = function()
  local null = io.open("/dev/null")  -- takes a descriptor number the host used
  local q = mp.Pool{processes = 1}
  print("child", q:map(function(x) return x * 2 end, {1, 2})[2], mp.world().mpi)
  q:close()
  q:join()
  null:close()
end}
child:start()
child:join()
print("child exit", child.exitcode)
