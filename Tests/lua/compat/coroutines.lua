-- Coroutines.
local gen = coroutine.wrap(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print(gen(1, 2), gen(10), gen(3, 4))

local co = coroutine.create(function(...)
  print("started with", ...)
  coroutine.yield("first")
  error("inside the coroutine")
end)
print(coroutine.status(co))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co))
print(coroutine.resume(co))
print(coroutine.status(co))
print(coroutine.resume(co))

local function range(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local sum = 0
for i in range(10) do sum = sum + i end
print(sum)

print(coroutine.isyieldable(), select(2, coroutine.running()))
local inner = coroutine.create(function() return coroutine.isyieldable() end)
print(coroutine.resume(inner))
local pending = coroutine.create(function() coroutine.yield() end)
coroutine.resume(pending)
print(coroutine.close(pending), coroutine.status(pending))
local ok, e = pcall(coroutine.wrap(function() error({ code = 1 }) end))
print(ok, type(e), e.code)
