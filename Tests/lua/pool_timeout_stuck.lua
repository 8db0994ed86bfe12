-- timeout = seconds, for tasks the worker's hook cannot stop: a worker
-- stuck in C (os.execute("sleep 10")), or a task that catches the timeout
-- and runs on, is killed a second past the limit and replaced, with what
-- it started (no sleep is left behind). Both error modes.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p <close> = mp.Pool(1)
local function pid() return mp.current_process().pid end
local before = p:apply(pid)

-- stuck in C, raise mode: killed after the limit and a grace second
local start = T.now()
local err = T.errorof(p.map, function(x) if x == 2 then os.execute("sleep 10") end return x end, {1, 2, 3}, {timeout = 0.3})
print(T.head(err, 1))
local elapsed = T.now() - start
print("ended within 3 s:", elapsed < 3, "replaced:", p:apply(pid) ~= before)

-- stuck in C, collect mode: the other items come back
before = p:apply(pid)
local r, f = p:map(function(x) if x == 2 then os.execute("sleep 10") end return x end, {1, 2, 3},
             {timeout = 0.3, errors = "collect"})
print(T.show(r), f[1].index, f[1].kind, f[1].message, "replaced:", p:apply(pid) ~= before)

-- a task that catches the timeout and runs on is killed
r, f = p:map(function(x)
  if x == 1 then
    local ok, e = pcall(function() while true do end end)
    T.spin(5)
    return "ran on after: " .. tostring(e)
  end
  return x
end, {1, 2}, {timeout = 0.3, errors = "collect"})
print(T.show(r), f[1].index, f[1].kind, f[1].message)

