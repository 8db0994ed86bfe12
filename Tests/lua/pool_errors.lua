-- Errors raised by tasks: the task's message, then the item, worker and
-- pid, then the worker's traceback; table errors come back as tables; a
-- call to a global nil in the script and the workers gets a hint.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function failing(x)
  if x == 3 then error("item three is bad") end
  return x
end

local err = T.errorof(function() return pool.map(failing, {1, 2, 3, 4}) end)
local lines = T.lines(err)
print(T.normalize(lines[1]))
print(lines[2])
-- the worker's traceback names the task function's line
print("traceback names line 8", T.has(err, "pool_errors.lua:8:"))
-- the worker in the message is a pool worker with a real pid
local name, pid = lines[1]:match("%(item 3 in (PoolWorker%-%d+), pid (%d+)%)$")
print("worker name", name ~= nil and T.workernumber(name) >= 1, "pid", tonumber(pid) ~= nil and tonumber(pid) ~= T.hostpid())

-- the same through starmap, imap, apply
print(T.head(T.errorof(function() return pool.starmap(failing, {{1}, {2}, {3}}) end), 1))
print(T.head(T.errorof(function() return pool.apply(failing, {3}) end), 1))

-- error values that are not strings
print(T.head(T.errorof(function() return pool.map(function(x) error(42) end, {1}) end), 2))
print(T.head(T.errorof(function() return pool.map(function(x) error("no position", 0) end, {1}) end), 2))
print(T.head(T.errorof(function() return pool.map(function(x) return x.field end, {1}) end), 1))

-- a table error value is raised again as a table with the same contents
err = T.errorof(function()
  return pool.map(function(x) if x == 2 then error({code = 7, why = "table", list = {1, 2}}) end end, {1, 2, 3})
end)
print("table error", type(err), T.repr(err))
-- with its metatable
err = T.errorof(function()
  return pool.apply(function() error(setmetatable({msg = "with mt"}, {__tostring = function(e) return "E: " .. e.msg end})) end)
end)
print("table error with __tostring", type(err), tostring(err))

-- a global defined after the pool started (above) reaches the workers
function later_helper(x) return x end
print(T.errorof(function() return pool.map(function(x) return later_helper(x) end, {1}) end))
-- a global nil in the script is nil in the workers: the hint says so
err = T.errorof(function() return pool.map(function(x) return never_defined(x) end, {1}) end)
lines = T.lines(err)
print(T.normalize(lines[1]))
print(lines[2])
print("then the traceback", lines[3])
-- the hint is only for globals: a nil local or field gets none
local t = {}
err = T.errorof(function() return pool.map(function(x) return t.missing(x) end, {1}) end)
lines = T.lines(err)
print(T.normalize(lines[1]))
print(lines[2])

-- the first error wins; the pool stays usable
err = T.errorof(function() return pool.map(function(x) error("always") end, {1, 2, 3, 4, 5, 6}) end)
print("first error", T.normalize(T.lines(err)[1]):match("^pool_errors.lua:%d+: always %(item %d in PoolWorker%-N, pid P%)$") ~= nil)
print(T.show(pool.map(function(x) return x + 1 end, {1, 2})))

-- a pool inside a worker is refused
local ok = pool.apply(function()
  return (pcall(function() local p = mp.Pool(1) p:map(print, {1}) end))
end)
print("pool inside a worker", ok)
