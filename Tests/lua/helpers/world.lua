-- What a task sees, for pool_world_fork.lua and pool_world_spawn.lua: the
-- same script must print the same with start = "fork" and "spawn".
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

return function(start)
  local p = mp.Pool{processes = 2, start = start}
  local function each(f, n)
    local xs = {}
    for i = 1, n or 4 do xs[i] = i end
    return T.show(p:map(f, xs, 1))
  end

  -- a global defined after the pool started
  function helper(x) return x * 10 end
  print("helper", each(function(x) return helper(x) end))
  -- redefined: the new one
  function helper(x) return x * 100 end
  print("redefined", each(function(x) return helper(x) end))
  -- rebound values, never stale
  K = 2
  print("K = 2", each(function(x) return x * K end))
  K = 3
  print("K = 3", each(function(x) return x * K end))
  K = nil
  print("K = nil", each(function(x) return K == nil end))
  -- a table global is a copy: its new contents go as an argument
  CONFIG = {scale = 5}
  print("table", each(function(x) return x * CONFIG.scale end))

  -- a global that cannot travel
  LOG = io.stdout
  print(T.head(T.errorof(p.map, function() return LOG end, {1}), 1))
  -- an error raised reading a global in the script is raised in the task
  setmetatable(_G, {__index = function(_, k)
    if k == "EXPLODES" then error("cannot read EXPLODES", 0) end
  end})
  print(T.head(T.errorof(p.map, function() return EXPLODES end, {1}), 1))
  -- a strict _G: undefined names raise, defined ones work
  setmetatable(_G, {__index = function(_, k) error("variable '" .. k .. "' is not declared", 2) end})
  DEFINED = "yes"
  print("strict, defined", each(function() return DEFINED end, 2))
  print(T.head(T.errorof(p.map, function() return UNDECLARED end, {1}), 1))
  setmetatable(_G, nil)

  -- pulls from inside large chunks (read item by item from their
  -- message) while more chunks wait behind them: none is disturbed
  for k = 0, 9 do _G["V" .. k] = k * 1000 end
  local many = {}
  for i = 1, 3000 do many[i] = i end
  local got = p:map(function(x) return _G["V" .. (x % 10)] + x end, many, 300)
  local right = got.n == 3000
  for i = 1, 3000 do right = right and got[i] == (i % 10) * 1000 + i end
  print("pulls inside large chunks", right)

  -- an undefined global read 100,000 times: one pull, not one per read
  local t0 = os.clock()
  print("undefined in a loop", p:apply(function()
    local n = 0
    for _ = 1, 100000 do if NOT_THERE == nil then n = n + 1 end end
    return n
  end))
  print("quickly", os.clock() - t0 < 2)

  -- a global a task sets stays in its worker; the script rebinding it wins
  p:map(function() SETBYTASK = "worker's" end, {1, 2}, 1)
  print("set by a task", each(function() return SETBYTASK end, 2))
  SETBYTASK = "script's"
  print("rebound by the script", each(function() return SETBYTASK end, 2))

  -- modules: required after the pool started, in the script
  local lpeg = require "lpeg"
  print("lpeg", each(function(x) return lpeg.match(lpeg.P("a") ^ 1, string.rep("a", x)) end))
  -- a module that re-exports a standard function renames nothing
  package.loaded.reexports = {floor = math.floor, sqrt = math.sqrt}
  print("math.floor", T.show(p:map(math.floor, {1.5, 2.5})))
  -- a module only a task requires, returned to the script
  local encode = p:apply(function() return require("cjson").encode end)
  print("cjson.encode", encode({1, 2}), encode == require("cjson").encode)

  -- a replacement after a crash sees what the others see
  BASE = 1000
  print(T.head(T.errorof(p.map, function(x) if x == 1 then os.exit(3) end return BASE end, {1, 2}, 1), 1))
  print("after the crash", each(function(x) return BASE + x end))

  -- a pull made while the script runs its own code is answered at its
  -- next wait
  local r = p:apply_async(function() return LATE end)
  LATE = "set after the submit"
  print("apply_async", r:get())
  p:close()
  p:join()

  -- the initializer pattern
  local q = mp.Pool{processes = 2, start = start, initializer = function(v) STATE = {v = v} end, initargs = {42}}
  print("initializer", T.show(q:map(function(x) return STATE.v + x end, {1, 2, 3}, 1)))
  -- maxtasksperchild: new workers agree with the old
  local m = mp.Pool{processes = 1, start = start, maxtasksperchild = 1}
  WHO = "everyone"
  print("maxtasksperchild", T.show(m:map(function() return WHO end, {1, 2, 3}, 1)))
  q:terminate()
  m:terminate()
end
