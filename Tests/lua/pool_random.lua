-- Without a seed every worker draws its own random numbers: no worker
-- repeats the host's sequence or another worker's.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function first() return math.random(0, 1 << 53) end
local function distinct(values)
  local seen = {}
  for i = 1, values.n do
    if seen[values[i]] then return false end
    seen[values[i]] = true
  end
  return true
end

-- one task per worker: every draw is the first of a newly forked worker,
-- which without a reseed would all equal the host's next draw
local p = mp.Pool{processes = 2, maxtasksperchild = 1}
local r = p:map(first, {1, 2, 3, 4, 5, 6}, 1)
local host = first()
local equalhost = false
for i = 1, r.n do equalhost = equalhost or r[i] == host end
print("fresh workers", r.n, distinct(r), "host's number among them", equalhost)
p:terminate()

-- long-lived workers: 40 draws over 2 workers, none repeated
p = mp.Pool(2)
r = p:map(function() T.spin(0.002) return math.random(0, 1 << 53) end, (function() local t = {} for i = 1, 40 do t[i] = i end return t end)(), 1)
print("two workers", r.n, distinct(r))
p:terminate()

-- the global pool too
r = pool.map(first, {1, 2}, 1)
print("global", r[1] ~= first())
