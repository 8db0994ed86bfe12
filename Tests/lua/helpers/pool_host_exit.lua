-- Run by PoolProcessTests: starts the global pool, prints the workers'
-- pids, then leaves in the way arg[1] names while a task is running:
-- "exit" (os.exit(0)), "error" (an uncaught error), "end" (the end of the
-- script, after the work is done), "wait" (prints "ready" and waits for
-- the test to kill this process).
local P = require "helpers.pool_processes"

local spin = P.spin
local how = arg[1]
pool.map(function(x) return x end, {1, 2})
P.printpids()
if how == "end" then
  pool.map(function(x) return x end, {1, 2, 3})
  return
end
local running = pool.apply_async(function() spin(30) return 1 end)
if how == "exit" then
  os.exit(0)
elseif how == "error" then
  error("leaving with work running")
elseif how == "wait" then
  io.write("ready\n")
  io.stdout:flush()
  running:get()
end
