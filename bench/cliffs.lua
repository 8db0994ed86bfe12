-- Where the cost per unit of work must stay flat (performance issue):
--   sizes   an apply round trip of a string of 1 KB to 256 MB: the cost
--           per byte between neighbouring sizes, from 1 MB on;
--   chunks  a map of 100,000 tiny items with chunk sizes 1 to 100,000:
--           the cost per item between neighbouring chunk sizes (from 256
--           on, where a chunk's own cost is a small part);
--   counts  a map of 10^4 to 10^7 tiny items, default chunks: the cost
--           per item; and a map of two items, the fixed cost of any map,
--           with the spread it alone would give the smallest count.
-- The cost is the CPU time of every process of the pool (the script from
-- os.clock, its workers from /proc/PID/schedstat), so two CPUs shared by
-- three processes count as what they are. Each point is the median of a
-- few runs. Prints `value` lines: each point, and the figures the goals
-- judge (worst ratios between neighbours).
--
-- Why not /proc/self/schedstat for the script: the kernel adds a running
-- task's time to that count only when it stops running or at a scheduler
-- tick (every 4 ms at 250 Hz), so read by the running script it lags by
-- up to a tick, and the collection run just before each sample was
-- charged to the map (a map of 10,000 items came out at up to twice its
-- cost). os.clock (CLOCK_PROCESS_CPUTIME_ID) counts up to the moment it
-- is read. A worker's count is read once it sleeps, so that its work and
-- its spin after the last answer are in, not left between samples.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local quick = timing.quick()
local p = mp.Pool(2)

-- The pids of both workers.
local pids = {}
for _, pid in ipairs(p:map(function()
  local t = os.clock() while os.clock() - t < 0.05 do end
  return mp.current_process().pid
end, {1, 2}, 1)) do pids[#pids + 1] = pid end

local function read(path)
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  return text
end

-- The workers' CPU seconds, once neither runs (or after 1,000 looks).
local function workersCPU()
  for _ = 1, 1000 do
    local running = false
    for _, pid in ipairs(pids) do
      if read("/proc/" .. pid .. "/stat"):match("^%d+ %b() (%a)") == "R" then running = true end
    end
    if not running then break end
  end
  local total = 0
  for _, pid in ipairs(pids) do total = total + read("/proc/" .. pid .. "/schedstat"):match("^%d+") end
  return total / 1e9
end

-- The median CPU seconds of a call of each point, over `runs` rounds.
-- `points[i]()` makes the point's call (and its data) and says how many
-- samples it takes a round (quick calls take more: one sample of them
-- says little on this machine). The points take turns, so that a
-- machine whose speed drifts during the run moves every point alike;
-- each sample follows a call of its own (unmeasured) and a full
-- collection, as a script calling it in a loop would meet it. A point
-- makes its data when its turn comes (the sizes' strings, which the
-- collector does not walk, are made once), so that a collection before
-- a small map does not walk the tables of the large ones.
local function measure(runs, points)
  local rounds = {}
  for i = 1, #points do rounds[i] = {} end
  local function median(values)
    table.sort(values)
    return values[(#values + 1) // 2]
  end
  for run = 1, runs do
    for i, point in ipairs(points) do
      local f, samples = point()
      local costs = {}
      for k = 1, samples or 1 do
        f()
        collectgarbage()
        local workers = workersCPU()
        local script = os.clock()
        f()
        script = os.clock() - script
        costs[k] = script + workersCPU() - workers
      end
      rounds[i][run] = median(costs)
    end
  end
  local medians = {}
  for i, costs in ipairs(rounds) do medians[i] = median(costs) end
  return medians
end

local function id(x) return x end
local function square(x) return x * x end

-- sizes
local sizes = {}
local size = 1024
while size <= (quick and 16 * 2^20 or 256 * 2^20) do
  sizes[#sizes + 1] = size
  size = size * 4
end
if not quick then
  -- around 16 MiB, where a cliff was
  table.insert(sizes, 1, 17 * 2^20) table.sort(sizes)
end
local costOf, batches, samples = {}, {}, {}
for i, s in ipairs(sizes) do
  -- small values: a batch of round trips per sample, so that each sample
  -- lasts long enough for the CPU counters
  local batch = math.max(1, (8 * 2^20) // s)
  local text = string.rep("x", s)
  local function call()
    for _ = 1, batch do assert(#p:apply(id, {text}) == s) end
  end
  batches[i], samples[i] = batch, function() return call end
end
for i, cost in ipairs(measure(5, samples)) do
  local s = sizes[i]
  costOf[s] = cost / batches[i]
  timing.value(string.format("size_%d_ns_per_byte", s), costOf[s] / s * 1e9)
end
samples = nil -- the strings go before the maps are measured
-- the marginal cost per byte between neighbours of the series 1, 4, 16,
-- 64, 256 MiB, and the cost per byte just past 16 MiB against 16 MiB
local worst, best, previous = 0, math.huge, nil
for _, s in ipairs(sizes) do
  if s >= 2^20 and s & (s - 1) == 0 then
    if previous then
      local marginal = (costOf[s] - costOf[previous]) / (s - previous)
      timing.value(string.format("size_marginal_%d_%d_ns_per_byte", previous, s), marginal * 1e9)
      worst, best = math.max(worst, marginal), math.min(best, marginal)
    end
    previous = s
  end
end
timing.value("size_marginal_spread", worst / best)
if costOf[17 * 2^20] then
  timing.value("size_17MiB_against_16MiB", (costOf[17 * 2^20] / (17 * 2^20)) / (costOf[16 * 2^20] / (16 * 2^20)))
end

-- chunks
local n = quick and 20000 or 100000
local xs = {}
for i = 1, n do xs[i] = i end
-- from 256 items a chunk on, where a chunk's own cost is a small part,
-- the cost per item of neighbouring chunk sizes must stay within 15%
local chunks = {}
local chunk = 1
while true do
  local c = math.min(chunk, n)
  chunks[#chunks + 1] = c
  if c == n then break end
  chunk = chunk * 2
end
samples = {}
for i, c in ipairs(chunks) do
  samples[i] = function() return function() p:map(square, xs, c) end, 2 end
end
local before, jump = nil, 1
for i, cost in ipairs(measure(5, samples)) do
  local c, perItem = chunks[i], cost / n
  timing.value(string.format("chunk_%d_ns_per_item", c), perItem * 1e9)
  if before and c >= 512 then jump = math.max(jump, perItem / before, before / perItem) end
  before = perItem
end
timing.value("chunk_worst_step", jump)

-- counts
local counts = quick and {1e4, 1e5, 1e6} or {1e4, 1e5, 1e6, 1e7}
samples = {}
for i, count in ipairs(counts) do
  samples[i] = function()
    local items = {}
    for j = 1, count do items[j] = j end
    return function() p:map(square, items) end, math.max(1, 200000 // count)
  end
end
-- and a map of two items, one per worker: what any map costs besides its
-- items (the processes' sleeps and wake-ups), the floor under the
-- smallest count's cost per item
samples[#samples + 1] = function() return function() p:map(square, {1, 2}) end, 50 end
local lowest, highest = math.huge, 0
local costs = measure(5, samples)
for i, count in ipairs(counts) do
  local perItem = costs[i] / count
  timing.value(string.format("count_%d_ns_per_item", count), perItem * 1e9)
  lowest, highest = math.min(lowest, perItem), math.max(highest, perItem)
end
timing.value("count_spread", highest / lowest)
local fixed = costs[#counts + 1]
timing.value("count_fixed_per_map", fixed)
timing.value("count_floor_spread", (fixed + counts[1] * lowest) / (counts[1] * lowest))
p:terminate()
