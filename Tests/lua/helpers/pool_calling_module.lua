-- A module that calls the pool while it loads, in the script (not in a
-- worker): required by the host during a wait, it gets the pool's busy
-- error.
local mp = require "multiprocessing"
if mp.current_process().name == "MainProcess" then
  pool.map(function(x) return x end, {1})
end
return {answer = 42, f = io.write}
