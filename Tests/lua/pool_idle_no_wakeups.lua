-- A worker that answered and went to sleep stays asleep until work comes:
-- the host reading its answer does not wake it. Each round the host sends
-- a task, stays busy for 2 ms (the worker answers, spins briefly, and
-- sleeps), then reads the answer. A worker asleep in a socket's `read`
-- was woken by that read (the socket's send space grew) and slept again:
-- 1.5 to 1.8 sleeps a round instead of one. Counted from the worker's
-- voluntary context switches (/proc/PID/status).
local mp = require "multiprocessing"
local p <close> = mp.Pool(1)
local pid = p:apply(function() return mp.current_process().pid end)

local function sleeps()
  local f = assert(io.open("/proc/" .. pid .. "/status"))
  local s = f:read("a")
  f:close()
  return assert(tonumber(s:match("\nvoluntary_ctxt_switches:%s*(%d+)")), "no voluntary_ctxt_switches in /proc/PID/status")
end

local function busy(seconds)
  local t = os.clock()
  while os.clock() - t < seconds do end
end

local rounds = 40
local before = sleeps()
for i = 1, rounds do
  local r = p:apply_async(function(x) return x + 1 end, {i})
  busy(0.002)
  assert(r:get() == i + 1)
end
local perRound = (sleeps() - before) / rounds
print("sleeps a round", perRound <= 1.2 and "one" or perRound)
