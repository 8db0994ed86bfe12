-- A parameter sweep, as scripted experiments run them: a 5 x 5 grid of
-- parameters, 10 seeded repetitions at each point, spread over every core,
-- with a progress bar, failures collected instead of stopping the sweep,
-- and a checkpoint, then a CSV of the mean and standard deviation at each
-- point.
--
--   scripts/run examples/sweep.lua [out.csv [checkpoint]]
--
-- Run it twice: the second run finds every result in the checkpoint and
-- runs nothing. Stop it halfway (Ctrl-C, or kill it) and run it again: it
-- runs only what is missing. Delete the checkpoint file to start over.
local mp = require "multiprocessing"

local out = arg[1] or "sweep.csv"
local checkpoint = arg[2] or "sweep.checkpoint"
local REPETITIONS = 10

-- The model: a biased random walk of `steps` steps, each a step up with
-- probability `p`, else down; the result is where it ends.
local function walk(run)
  local position = 0
  for _ = 1, run.steps do
    if math.random() < run.p then position = position + 1 else position = position - 1 end
  end
  return position
end

-- Every run of every point. A seeded pool makes run i draw its numbers
-- after math.randomseed(2026, i), so the results are the same on any
-- number of workers, and the checkpoint knows them again.
local points = mp.grid{p = {0.3, 0.4, 0.5, 0.6, 0.7}, steps = {1000, 2000, 4000, 8000, 16000}}
local runs = {}
for _, point in ipairs(points) do
  for rep = 1, REPETITIONS do
    runs[#runs + 1] = {p = point.p, steps = point.steps, rep = rep}
  end
end

local pool <close> = mp.Pool{seed = 2026}
local results, failures = pool:map(walk, runs, {
  progress = true,          -- a bar on stderr when it is a terminal
  errors = "collect",       -- a failed run is reported, the others go on
  checkpoint = checkpoint,  -- finished runs are kept; a rerun skips them
})

-- Mean and standard deviation per point, over the runs that finished.
local rows = {}
for k, point in ipairs(points) do
  local sum, squares, n = 0, 0, 0
  for rep = 1, REPETITIONS do
    local x = results[(k - 1) * REPETITIONS + rep]
    if x ~= nil then
      sum, squares, n = sum + x, squares + x * x, n + 1
    end
  end
  local mean = n > 0 and sum / n or nil
  local sd = n > 1 and math.sqrt((squares - n * mean * mean) / (n - 1)) or nil
  rows[k] = {p = point.p, steps = point.steps, runs = n, mean = mean, sd = sd}
end
mp.write_csv(out, rows, {"p", "steps", "runs", "mean", "sd"})

for _, failure in ipairs(failures) do
  print(("run %d failed (%s): %s"):format(failure.index, failure.kind, failure.message))
end
print(("%d points, %d runs, %d failed; wrote %s"):format(#points, #runs, #failures, out))
