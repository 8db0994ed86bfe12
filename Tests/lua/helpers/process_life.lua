-- Run by ProcessChildTests: starts a Process and prints "pid N" for it,
-- then does what arg[1] says:
--   "join"      the child loops; join() under pcall, then join again and
--               print the exit code (Ctrl-C is sent by the test)
--   "uncaught"  the child loops; a plain join()
--   "pool"      the child loops in a pool.map of its own; join() as "join"
--   "end"       the child works 0.3 s then prints; the script ends at once
--   "error"     as "end", but the script ends with an error
--   "daemon"    a daemon child loops forever; the script ends at once
--   "wait"      the child loops; prints "ready" and waits to be killed
local mp = require "multiprocessing"

local function spin(seconds)
  local stop = os.clock() + seconds
  while os.clock() < stop do end
end

local how = arg[1]
local target
if how == "pool" then
  target = function()
    pool.map(function() while true do end end, {1, 2})
  end
elseif how == "end" or how == "error" then
  target = function() spin(0.3) print("child done") end
else
  target = function() while true do end end
end
local p = mp.Process{target = target, daemon = how == "daemon"}
p:start()
print("pid " .. p.pid)
io.stdout:flush()
if how == "join" or how == "pool" then
  print("ready")
  io.stdout:flush()
  print(pcall(p.join))
  p:join()
  print("exitcode " .. p.exitcode)
elseif how == "uncaught" then
  print("ready")
  io.stdout:flush()
  p:join()
elseif how == "end" or how == "daemon" then
  print("host done")
elseif how == "error" then
  error("host failed")
elseif how == "wait" then
  print("ready")
  io.stdout:flush()
  p:join()
end
