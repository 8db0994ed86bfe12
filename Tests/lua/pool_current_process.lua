-- mp.current_process(): "MainProcess" and the host's pid in the host;
-- "PoolWorker-N" and the worker's own pid in a worker.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local host = T.hostpid()
local me = mp.current_process()
print("host", me.name, me.pid == host, math.type(me.pid))

-- in a worker: its own pid, as its shell sees it, and a worker name
local r = pool.apply(function()
  local w = mp.current_process()
  return {name = w.name, pid = w.pid, shell = T.hostpid()}
end)
print("worker", T.workernumber(r.name) ~= nil, r.pid == r.shell, r.pid ~= host, math.type(r.pid))

-- a fresh pool's workers are numbered after the ones that came before
local p = mp.Pool(1)
local name = p:apply(function() return mp.current_process().name end)
print("new pool's worker", T.workernumber(name) > T.workernumber(r.name))
p:terminate()
-- the host is still the main process
print("host again", mp.current_process().name)
