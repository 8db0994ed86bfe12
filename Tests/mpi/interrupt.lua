-- Under mpirun -n 3: tasks that spin on both worker ranks; Ctrl-C at
-- mpirun (the test sends SIGINT) stops them and the host prints
-- "interrupted".
local mp = require "multiprocessing"
local r = pool:map(function() return mp.current_process().pid end, {1, 2}, 1)
print("pid " .. mp.current_process().pid)
print("pid " .. r[1])
print("pid " .. r[2])
print("ready")
io.stdout:flush()
pool:map(function(x) local t = os.clock() while os.clock() - t < 60 do end return x end, {1, 2}, 1)
