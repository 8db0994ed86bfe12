-- Where the cost per unit of work must stay flat (performance issue):
--   sizes   an apply round trip of a string of 1 KB to 256 MB: the cost
--           per byte between neighbouring sizes, from 1 MB on;
--   chunks  a map of 100,000 tiny items with chunk sizes 1 to 100,000:
--           the cost per item between neighbouring chunk sizes (from 256
--           on, where a chunk's own cost is a small part);
--   counts  a map of 10^4 to 10^7 tiny items, default chunks: the cost
--           per item.
-- The cost is the CPU time of every process of the pool (the script and
-- its workers, from /proc/PID/schedstat), so two CPUs shared by three
-- processes count as what they are. Each point is the median of a few
-- runs. Prints `value` lines: each point, and the figures the goals judge
-- (worst ratios between neighbours).
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local quick = timing.quick()
local p = mp.Pool(2)

-- The pids of the script and of both workers.
local pids = {"self"}
for _, pid in ipairs(p:map(function()
  local t = os.clock() while os.clock() - t < 0.05 do end
  return mp.current_process().pid
end, {1, 2}, 1)) do pids[#pids + 1] = pid end

local function cpu()
  local total = 0
  for _, pid in ipairs(pids) do
    local f = assert(io.open("/proc/" .. pid .. "/schedstat"))
    total = total + f:read("n")
    f:close()
  end
  return total / 1e9
end

-- The median CPU seconds of `runs` calls of f.
local function measure(runs, f)
  f()
  local costs = {}
  for i = 1, runs do
    collectgarbage()
    local c = cpu()
    f()
    costs[i] = cpu() - c
  end
  table.sort(costs)
  return costs[(runs + 1) // 2]
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
local costOf = {}
for _, s in ipairs(sizes) do
  local text = string.rep("x", s)
  -- small values: a batch of round trips per sample, so that each sample
  -- lasts long enough for the CPU counters
  local batch = math.max(1, (8 * 2^20) // s)
  costOf[s] = measure(5, function()
    for _ = 1, batch do assert(#p:apply(id, {text}) == s) end
  end) / batch
  timing.value(string.format("size_%d_ns_per_byte", s), costOf[s] / s * 1e9)
end
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
local chunk, before, jump = 1, nil, 1
while true do
  local c = math.min(chunk, n)
  local perItem = measure(3, function() p:map(square, xs, c) end) / n
  timing.value(string.format("chunk_%d_ns_per_item", c), perItem * 1e9)
  if before and c >= 512 then jump = math.max(jump, perItem / before, before / perItem) end
  before = perItem
  if c == n then break end
  chunk = chunk * 2
end
timing.value("chunk_worst_step", jump)

-- counts
local lowest, highest = math.huge, 0
for _, count in ipairs(quick and {1e4, 1e5, 1e6} or {1e4, 1e5, 1e6, 1e7}) do
  local items = {}
  for i = 1, count do items[i] = i end
  local perItem = measure(count >= 1e7 and 3 or 5, function() p:map(square, items) end) / count
  timing.value(string.format("count_%d_ns_per_item", count), perItem * 1e9)
  lowest, highest = math.min(lowest, perItem), math.max(highest, perItem)
end
timing.value("count_spread", highest / lowest)
p:terminate()
