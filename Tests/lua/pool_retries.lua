-- retries = N re-runs an item whose worker died, on another worker, before
-- it counts as failed (default 0 when raising, 1 when collecting); an
-- item that raised a Lua error, or ran out of time, is not retried. A
-- side file records each run with the pid that ran it.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local marker = os.tmpname()
local log = T.runlog()
local pids = T.runlog()
local function dies_once(x)
  log.add(x)
  pids.add(x .. " " .. mp.current_process().pid)
  if x == 3 then
    local f = io.open(marker)
    if not f then
      assert(io.open(marker, "w")):close()
      os.exit(9)
    end
    f:close()
  end
  return x * 10
end
local function ran_on_two_workers(x)
  local seen, n = {}, 0
  for line in pairs(pids.counts()) do
    local item, pid = line:match("^(%d+) (%d+)$")
    if tonumber(item) == x and not seen[pid] then seen[pid] = true n = n + 1 end
  end
  return n
end
local function fresh()
  os.remove(marker)
  log.reset()
  pids.reset()
end

local p <close> = mp.Pool(2)
local list = {1, 2, 3, 4, 5, 6}

-- collect: one retry by default; the item runs again on another worker
fresh()
local r, f = p:map(dies_once, list, {errors = "collect"})
print(T.show(r), #f)
print(log.show(1, 2, 3, 4, 5, 6), "workers for 3:", ran_on_two_workers(3))

-- raise: no retry by default, the call fails
fresh()
print(T.head(T.errorof(p.map, dies_once, list), 1))

-- raise with retries = 1: the call succeeds
fresh()
print(T.show(p:map(dies_once, list, {retries = 1})))
print(log.show(3), "workers for 3:", ran_on_two_workers(3))

-- collect without retries: the death is collected
fresh()
r, f = p:map(dies_once, list, {errors = "collect", retries = 0})
print(T.show(r), f[1].index, f[1].kind, T.head(f[1].message, 1))

-- an item that always kills its worker: retried twice, then failed
log.reset()
r, f = p:map(function(x) log.add(x) if x == 2 then os.exit(4) end return x end, {1, 2, 3},
             {errors = "collect", retries = 2})
print(T.show(r), f[1].kind, log.show(1, 2, 3))

-- a Lua error is not retried
log.reset()
print(T.head(T.errorof(p.map, function(x) log.add(x) error("no") end, {1}, {retries = 3}), 1), log.show(1))

-- nor is a timeout
log.reset()
r, f = p:map(function(x) log.add(x) while true do end end, {1}, {errors = "collect", retries = 3, timeout = 0.2})
print(f[1].kind, log.show(1))

-- apply takes the pool's retries
fresh()
local q <close> = mp.Pool{processes = 1, retries = 1}
print(q:apply(dies_once, {3}), log.show(3))
os.remove(marker)
log.remove()
pids.remove()
