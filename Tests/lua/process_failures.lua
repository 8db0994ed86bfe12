-- How a Process ends: an error (exit code 1, the error and its traceback on
-- stderr under a "Process Process-N:" header), a table error, a signal
-- (minus its number), terminate() and kill(), join with a timeout.
local mp = require "multiprocessing"

local function run(target, args)
  local p = mp.Process(target, args)
  p:start()
  p:join()
  return p
end

local p = run(function(x) error("boom " .. x) end, {"now"})
print("error", p.exitcode)
io.stdout:flush()

p = run(function() error({code = 7}) end)
print("table error", p.exitcode)
io.stdout:flush()

p = run(function() error(setmetatable({}, {__tostring = function() return "custom error" end})) end)
print("tostring error", p.exitcode)
io.stdout:flush()

-- killed by a signal: exitcode is minus the signal's number
p = run(function() os.execute("kill -SEGV $PPID") while true do end end)
print("SIGSEGV", p.exitcode)

local forever = mp.Process(function() while true do end end)
forever:start()
forever:join(0.05)
print("after join(0.05)", forever.exitcode, forever:is_alive())
forever:terminate()
forever:join()
print("terminate", forever.exitcode, forever:is_alive())
forever:terminate()  -- nothing: it has ended
forever:kill()
print("again", forever.exitcode)

local killed = mp.Process(function() while true do end end)
killed:start()
killed:kill()
killed:join()
print("kill", killed.exitcode)

-- join(0) on a running child returns at once
local slow = mp.Process(function() while true do end end)
slow:start()
slow:join(0)
print("join(0)", slow.exitcode)
slow:kill() slow:join()
print(tostring(slow):gsub("pid %d+", "pid P"))
