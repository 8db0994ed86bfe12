-- The same sweep on one machine or on a cluster:
--
--   scripts/run examples/cluster_sweep.lua                 (a local pool)
--   mpirun -n 3 luapool examples/cluster_sweep.lua         (every worker of
--                                                           ranks 1 and 2)
--   srun luapool examples/cluster_sweep.lua                (under Slurm)
--
-- A grid of 4 x 3 points, 8 seeded runs each: an estimate of the area of
-- a circle of radius r in a square of side 2, by n random points. The pool
-- is seeded, so run i draws the same numbers wherever it runs: standard
-- output is the same with and without MPI, with any number of ranks.
-- Where the runs went is written to standard error.
local mp = require "multiprocessing"

local function estimate(run)
  local inside = 0
  for _ = 1, run.n do
    local x, y = 2 * math.random() - 1, 2 * math.random() - 1
    if x * x + y * y <= run.r * run.r then inside = inside + 1 end
  end
  return {area = 4 * inside / run.n, where = mp.current_process().name}
end

local points = mp.grid{r = {0.25, 0.5, 0.75, 1.0}, n = {1000, 10000, 100000}}
local runs = {}
for _, point in ipairs(points) do
  for rep = 1, 8 do runs[#runs + 1] = {r = point.r, n = point.n, rep = rep} end
end

local world = mp.world()
local p <close> = mp.Pool{seed = 42}
local results = p:map(estimate, runs, {chunksize = 1})

local where = {}
for k, point in ipairs(points) do
  local sum = 0
  for rep = 1, 8 do
    local result = results[(k - 1) * 8 + rep]
    sum = sum + result.area
    local place = result.where:match("on rank %d+ %(.*%)$") or "this machine"
    where[place] = (where[place] or 0) + 1
  end
  print(("r = %.2f, n = %6d: mean area %.4f (pi r^2 = %.4f)"):format(point.r, point.n, sum / 8, math.pi * point.r ^ 2))
end
local places = {}
for place, count in pairs(where) do places[#places + 1] = ("%d runs %s"):format(count, place) end
table.sort(places)
io.stderr:write(("%d runs on %d workers (%s): %s\n"):format(#runs, world.workers,
  world.mpi and (world.ranks .. " ranks") or "no MPI", table.concat(places, ", ")))
