-- Closures and upvalues.
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2())

local function pair()
  local shared = 0
  local function get() return shared end
  local function set(v) shared = v end
  return get, set
end
local get, set = pair()
set(42)
print(get())

local fs = {}
for i = 1, 3 do fs[i] = function() return i * 10 end end
print(fs[1](), fs[2](), fs[3]())

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))

local function compose(f, g) return function(...) return f(g(...)) end end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5))

local function curry(a) return function(b) return function(c) return a .. b .. c end end end
print(curry("x")("y")("z"))
do
  local log = {}
  do
    local x <close> = setmetatable({}, { __close = function() log[#log + 1] = "closed" end })
    log[#log + 1] = "in block"
  end
  print(table.concat(log, ", "))
end
