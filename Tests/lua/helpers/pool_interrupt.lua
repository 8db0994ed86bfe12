-- Run by PoolProcessTests: prints the workers' pids, then runs a long map
-- whose first task prints "ready"; the test then sends SIGINT to the
-- process group. With the argument "catch" the map is in a pcall, and
-- another map runs after it.
local P = require "helpers.pool_processes"

local spin = P.spin
pool.map(function(x) return x end, {1, 2})
P.printpids()
local function long(x)
  if x == 1 then io.write("ready\n") end
  spin(30)
  return x
end
if arg[1] == "catch" then
  local ok, err = pcall(function() return pool.map(long, {1, 2, 3, 4}, 1) end)
  print(ok, err)
  local r = pool.map(function(x) return x * x end, {1, 2, 3})
  print(r[1], r[2], r[3], r.n)
  P.printpids()
else
  pool.map(long, {1, 2, 3, 4}, 1)
  print("not reached")
end
