-- Run by PoolSystemFailureTests with a preloaded library that makes
-- processes ignore SIGTERM: at exit, a daemon Process that ignores
-- SIGTERM is killed after a short grace instead of hanging the exit.
local mp = require "multiprocessing"
local p = mp.Process{target = function() while true do end end, daemon = true}
p:start()
print("pid " .. p.pid)
-- time for the child to set up (and ignore SIGTERM)
os.execute("sleep 0.3")
print("ready")
