-- mp.Process: a target run in a forked child with its arguments; pid, name,
-- daemon, exitcode; join, is_alive; current_process and parent_process.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local host = T.hostpid()

-- the table form; the child prints, the host joins before printing
local p = mp.Process{target = function(a, b)
  local me, parent = mp.current_process(), mp.parent_process()
  print("child", a + b, me.name, me.pid ~= host, parent.name, parent.pid == host)
end, args = {2, 3}}
print("before start", p.name, p.pid, p.exitcode, p:is_alive(), p.daemon)
p:start()
print("started", math.type(p.pid), p.pid ~= host, p.ident == p.pid)
p:join()
print("joined", p.exitcode, p:is_alive())

-- the positional form, args.n keeps nils, names rise
local q = mp.Process(function(...) print("args", select("#", ...), ...) end, {1, nil, "x", nil, n = 4})
q:start() q:join()
print(q.name, q.exitcode)

-- no args at all
local r = mp.Process(function(...) print("no args", select("#", ...)) end)
r:start() r:join()

-- os.exit(n) gives exit code n; os.exit(false) gives 1
for _, code in ipairs({0, 3, 255}) do
  local e = mp.Process(function() os.exit(code) end)
  e:start() e:join()
  print("os.exit", code, e.exitcode)
end
local f = mp.Process(function() os.exit(false) end)
f:start() f:join()
print("os.exit false", f.exitcode)

-- output buffered before start() is printed once
io.write("buffered ")
local b = mp.Process(function() io.write("in child\n") end)
b:start() b:join()

-- a name and daemon given; both may be changed before start
local n = mp.Process{target = function() print("I am", mp.current_process().name) end, name = "worker-a", daemon = true}
print(n.name, n.daemon)
n.name = "renamed" n.daemon = false
n:start() n:join()
print(n.name, n.daemon, n.exitcode)

-- a child's children are named after it, and their parent is the child
local outer = mp.Process(function()
  local inner = mp.Process(function()
    print("inner", mp.current_process().name, mp.parent_process().name)
  end)
  inner:start() inner:join()
  print("inner exit", inner.exitcode)
end)
outer:start() outer:join()
print(outer.name, outer.exitcode)

-- a callable table is a target
local callable = setmetatable({}, {__call = function(self, x) print("called with", x) end})
local c = mp.Process(callable, {7})
c:start() c:join()

-- the host has no parent
print("host parent", mp.parent_process(), mp.current_process().name)

-- a pool works inside a Process
local withpool = mp.Process(function()
  print("pool in child", table.concat(pool.map(function(x) return x * 10 end, {1, 2, 3}), " "))
end)
withpool:start() withpool:join()
print("pool child exit", withpool.exitcode)

-- active_children: the running children in start order; the ended are reaped
local a = mp.Process(function() while true do end end)
local b = mp.Process(function() while true do end end)
a:start() b:start()
local active = mp.active_children()
print("active", #active, active[1] == a, active[2] == b)
a:kill() a:join()
active = mp.active_children()
print("active after kill", #active, active[1] == b)
b:kill()
while b:is_alive() do end
print("active after both", #mp.active_children())

-- in a pool worker, the parent is the main process
local parent = pool.apply(function() local pp = mp.parent_process() return pp.name .. " " .. tostring(pp.pid == host) end)
print("worker's parent", parent)
