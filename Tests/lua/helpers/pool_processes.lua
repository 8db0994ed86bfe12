-- Shared by the scripts PoolProcessTests runs: the pids of this process's
-- pool workers, printed one a line as "pid N".
local M = {}

-- The pids of this process's children but the shell that lists them:
-- after a pool has started, its workers.
function M.workerpids()
  local f = assert(io.popen("echo $$; cat /proc/$PPID/task/$PPID/children"))
  local shell = f:read("n")
  local pids = {}
  for pid in f:read("a"):gmatch("%d+") do
    if tonumber(pid) ~= shell then pids[#pids + 1] = pid end
  end
  f:close()
  return pids
end

-- Prints "pid N" for each worker, and flushes.
function M.printpids()
  for _, pid in ipairs(M.workerpids()) do io.write("pid ", pid, "\n") end
  io.stdout:flush()
end

-- Burns `seconds` of CPU time.
function M.spin(seconds)
  local stop = os.clock() + seconds
  while os.clock() < stop do end
end

return M
