-- What the exit-output cases share: a task that writes without a newline
-- (its worker's stdout is line-buffered), and an async task whose result
-- is never collected, still running when the script ends, whose output
-- stays in its buffer (set to full buffering) until its worker leaves.
local mp = require "multiprocessing"
local M = {}

function M.start()
  pool.map(function() io.write("[task]") end, {1})
  print("[host]")
  local p = mp.Pool(1)
  p:apply_async(function()
    io.stdout:setvbuf("full")
    os.execute("sleep 0.2")
    io.write("[late task]\n")
  end)
  return p
end

return M
