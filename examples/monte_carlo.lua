-- Ten runs of a Monte-Carlo estimate of pi, in parallel, then their mean
-- and standard deviation: the "ten runs to get a mean" experiment.
--
-- The pool's seed makes run i of the pool's first call draw its numbers
-- after math.randomseed(SEED, i) (a second call would draw new ones,
-- after math.randomseed(SEED, 2^32 + i)), so the output is the same for
-- any number of workers:
--   scripts/run examples/monte_carlo.lua
--   scripts/run -j 1 examples/monte_carlo.lua     (same output, slower)
local mp = require "multiprocessing"

local SEED = 2026
local RUNS = 10
local POINTS = tonumber(arg and arg[1]) or 1000000

-- The fraction of random points of the unit square inside the quarter
-- circle, times 4.
local function estimate_pi(points)
  local inside = 0
  for _ = 1, points do
    local x, y = math.random(), math.random()
    if x * x + y * y <= 1 then inside = inside + 1 end
  end
  return 4 * inside / points
end

local runs = {}
for i = 1, RUNS do runs[i] = {POINTS} end

local p <close> = mp.Pool{seed = SEED}
local estimates = p:starmap(estimate_pi, runs)

local sum = 0
for i = 1, RUNS do
  print(string.format("run %2d: %.6f", i, estimates[i]))
  sum = sum + estimates[i]
end
local mean = sum / RUNS
local squares = 0
for i = 1, RUNS do squares = squares + (estimates[i] - mean) ^ 2 end
local sd = math.sqrt(squares / (RUNS - 1))
print(string.format("pi ~ %.6f +- %.6f (mean and standard deviation of %d runs of %d points)",
  mean, sd, RUNS, POINTS))
