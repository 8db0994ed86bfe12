-- Process misuse: each error's exact text.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function check(label, f, ...)
  print(label, T.errorof(f, ...))
end

check("number", mp.Process, 42)
check("nothing", mp.Process)
check("string", mp.Process, "print")
check("no target", mp.Process, {args = {1}})
check("bad target", mp.Process, {target = "f"})
check("bad args", mp.Process, {target = print, args = 3})
check("positional args", mp.Process, print, 3)
check("bad name", mp.Process, {target = print, name = 5})
check("bad daemon", mp.Process, {target = print, daemon = "yes"})
check("unknown option", mp.Process, {target = print, kwargs = {}})
check("option key", mp.Process, {print})
check("too many arguments", mp.Process, {target = print, args = {n = math.maxinteger}})

local p = mp.Process(function() end)
check("join before start", p.join)
check("join before start (method)", function() p:join() end)
check("terminate before start", function() p:terminate() end)
check("kill before start", function() p:kill() end)
p:start()
check("start twice", function() p:start() end)
check("bad timeout", function() p:join("soon") end)
check("negative timeout", function() p:join(-1) end)
p:join()
check("set pid", function() p.pid = 1 end)
check("set exitcode", function() p.exitcode = 0 end)
check("set daemon after start", function() p.daemon = true end)
check("set name to a table", function() p.name = {} end)
check("set another field", function() p.color = "red" end)
print("unknown field reads nil", p.color)

local running = mp.Process(function() while true do end end)
running:start()
check("close while running", function() running:close() end)
running:kill()
running:join()
running:close()
check("after close", function() running:start() end)
check("exitcode after close", function() return running.exitcode end)
running:close()  -- closing twice is fine

-- a pool worker cannot start a process
print("in a pool worker", T.head(T.errorof(pool.apply, function()
  local child = mp.Process(print)
  child:start()
end), 1))

-- a child cannot join (or signal) an object another process started
local sibling = mp.Process(function() while true do end end)
sibling:start()
local from = mp.Process(function()
  print("child", T.errorof(function() sibling:join() end))
  print("child", T.errorof(function() sibling:kill() end))
  print("child", T.errorof(function() return sibling:is_alive() end))
end)
from:start() from:join()
sibling:kill() sibling:join()
print("sibling", sibling.exitcode)
