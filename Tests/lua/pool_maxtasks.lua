-- maxtasksperchild: a worker leaves after that many tasks and a new one,
-- with a new, higher number, takes its place.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function name() return mp.current_process().name end
local function tally(names)
  local count, most, numbers = {}, 0, {}
  for i = 1, names.n do
    local n = assert(T.workernumber(names[i]), names[i])
    count[n] = (count[n] or 0) + 1
    most = math.max(most, count[n])
  end
  for n in pairs(count) do numbers[#numbers + 1] = n end
  table.sort(numbers)
  return numbers, most
end

local p = mp.Pool{processes = 2, maxtasksperchild = 2}
local names = p:map(name, {1, 2, 3, 4, 5, 6, 7, 8}, 1)
local numbers, most = tally(names)
print("at most 2 tasks per worker", most <= 2, "at least 4 workers", #numbers >= 4)
-- the numbers rise: a later map only sees workers newer than the first two
local later = p:map(name, {1, 2}, 1)
local newer = tally(later)
print("later workers are new", newer[1] > 2)
-- with one worker, each task in a worker of its own, in rising order
p:terminate()
p = mp.Pool{processes = 1, maxtasksperchild = 1}
names = p:map(name, {1, 2, 3, 4}, 1)
local rising = true
for i = 2, names.n do rising = rising and T.workernumber(names[i]) > T.workernumber(names[i - 1]) end
print("one per worker, rising", rising, #tally(names))
-- a pid per task too
local pids = p:map(function() return mp.current_process().pid end, {1, 2, 3}, 1)
print("new pids", pids[1] ~= pids[2] and pids[2] ~= pids[3] and pids[1] ~= pids[3])
-- the replaced workers are gone
print("old workers gone", not T.exists(pids[1]), not T.exists(pids[2]))
-- a chunk counts as one task
names = p:map(name, {1, 2, 3, 4}, 2)
print("chunks of 2", names[1] == names[2], names[3] == names[4], names[2] ~= names[3])
p:terminate()
