-- Functions through mp.dumps / mp.loads: bytecode, upvalues, sharing, names.
local mp = require "multiprocessing"
local function rt(v) return mp.loads(mp.dumps(v), {functions = true}) end

-- upvalues by value
local base = 10
local add = rt(function(x) return x + base end)
base = 0
assert(add(1) == 11)

-- closures that share an upvalue still share it
local function counter()
  local n = 0
  return function() n = n + 1 return n end, function() return n end
end
local inc, get = counter()
local pair = rt{inc = inc, get = get}
pair.inc() pair.inc()
assert(pair.get() == 2 and get() == 0)

-- recursive local functions
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
assert(rt(fib)(20) == 6765)

-- the global table stays the global table
answer = 42
assert(rt(function() return answer end)() == 42)
assert(rt(_G) == _G)

-- tracebacks keep their line numbers
local boom = rt(function()
  error("boom")
end)
local ok, err = pcall(boom)
assert(not ok and err:find("codec_functions.lua:32: boom", 1, true), err)

-- C functions and modules by name
assert(rt(math.sqrt) == math.sqrt and rt(string.format) == string.format)
local cjson = require "cjson"
assert(rt(cjson.encode) == cjson.encode and rt(cjson) == cjson)
local encode = rt(function(v) return cjson.encode(v) end)
assert(encode({1, 2}) == "[1,2]")

-- functions = false refuses any function, and is fine for plain data
assert(mp.loads(mp.dumps({1, "two"}), {functions = false})[2] == "two")
local ok2, err2 = pcall(mp.loads, mp.dumps(print), {functions = false})
assert(not ok2 and err2 == "cannot load C function '_G.print': functions are refused (pass {functions = true} to load them from a trusted source)", err2)

print("ok")
