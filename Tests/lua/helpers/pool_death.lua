-- What the worker-death cases share: a task that makes its worker die at
-- one item after writing the worker's pid to a file, and checks on the
-- error that follows.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local M = {}

-- A task that dies by `how` ("kill -9", "kill -SEGV" or "exit 3") at item
-- `at`, after writing its pid to `file`; other items return x * 10.
function M.task(how, at, file)
  return function(x)
    if x == at then
      local pid = mp.current_process().pid
      local f = assert(io.open(file, "w"))
      f:write(pid)
      f:close()
      if how == "exit 3" then os.exit(3) end
      os.execute(how .. " " .. pid)
      T.spin(5)  -- not reached: the signal ends the worker first
    end
    return x * 10
  end
end

-- The pid written by the task that died.
function M.deadpid(file)
  local f = assert(io.open(file))
  local pid = f:read("n")
  f:close()
  os.remove(file)
  return pid
end

-- Prints the error's first line (pids and worker numbers hidden), whether
-- the pid it names is the one that died, and whether that worker is gone
-- (reaped, no zombie left).
function M.report(err, file)
  print(T.head(err, 1))
  local pid = tonumber(tostring(err):match("%(pid (%d+)%) died"))
  local dead = M.deadpid(file)
  print("names the dead worker", pid == dead, "reaped", not T.exists(dead))
end

return M
