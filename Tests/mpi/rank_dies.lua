-- Under mpirun -n 3 with a checkpoint (arg[1]) and a side file of runs
-- (arg[2]): the test kills rank 2 while the map runs; the job ends, and a
-- second run resumes from the checkpoint.
local mp = require "multiprocessing"
local runs = arg[2]
local list = {}
for i = 1, 40 do list[i] = i end
local r = pool:map(function(x)
  local t = os.clock() while os.clock() - t < 0.15 do end
  local f = io.open(runs, "a") f:write(x, "\n") f:close()
  return x
end, list, {checkpoint = arg[1], chunksize = 1})
local sum = 0
for i = 1, r.n do sum = sum + r[i] end
print("sum", sum)
