-- Lists read through metamethods: the count is the list's own field `n`
-- (read raw) or else `#t` with `__len`; item i is `t[i]` with `__index`.
-- An error in a metamethod is the pool call's error.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p = mp.Pool(2)
local inc = function(x) return x + 1 end
local add = function(a, b) return a + b end

-- A proxy of `count` items, item i being item(i).
local function proxy(count, item)
  return setmetatable({}, {__len = function() return count end, __index = function(_, i) return item(i) end})
end
local tens = proxy(3, function(i) return i * 10 end)

print("#tens", #tens)
print("map", T.show(p:map(inc, tens)))
print("pool.map", T.show(pool.map(inc, tens)))
print("map_async", T.show(p:map_async(inc, tens, 1):get()))
local got = {}
for i, v in p:imap(inc, tens) do got[#got + 1] = i .. "=" .. v end
print("imap", table.concat(got, " "))
got = {}
for i, v in p:imap_unordered(inc, tens) do got[i] = v end
print("imap_unordered", got[1], got[2], got[3])

print("-- the count")
print("raw n first", T.show(p:map(inc, setmetatable({n = 2}, getmetatable(tens)))))
print("n through __index is not the count",
  T.show(p:map(inc, setmetatable({}, {__index = function(_, k) return k == "n" and 5 or 1 end}))))
print("__index without __len: #t", T.show(p:map(inc, setmetatable({1, 2}, {__index = function() return 0 end}))))
print("__index a table", T.show(p:map(inc, setmetatable({1, nil, 3, n = 3}, {__index = {10, 20, 30}}))))
print("__len 2.0", T.show(p:map(inc, proxy(2.0, function(i) return i end))))
print("__len 0", T.show(p:map(inc, proxy(0, error))))
print(T.errorof(p.map, inc, proxy(2.5, error)))
print(T.errorof(p.map, inc, proxy("3", error)))
print(T.errorof(p.map, inc, proxy(-1, error)))
print(T.errorof(p.map, inc, proxy(math.maxinteger, error)))
print(T.errorof(p.map, inc, setmetatable({}, {__len = function() error("no length") end})))

print("-- errors in __index")
print(T.errorof(function() return p:map(inc, proxy(3, function(i) if i == 2 then error("no item " .. i) end return i end)) end))
local sentinel = {}
print("table error kept", rawequal(T.errorof(p.map_async, inc, proxy(1, function() error(sentinel) end)), sentinel))
print(T.errorof(p.imap, inc, proxy(1, function() error("lazy list", 0) end)))
print("after the errors", T.show(p:map(inc, {1, 2})))

print("-- starmap over proxy tuples")
local pair = proxy(2, function(i) return i end)
local tuples = {pair, {3, 4}, proxy(2, function(i) return i * 100 end)}
print("starmap", T.show(p:starmap(add, tuples)))
print("the list is not changed", rawequal(tuples[1], pair), getmetatable(tuples[3]) ~= nil)
print("starmap_async", T.show(p:starmap_async(add, tuples, 1):get()))
print("proxy list of proxy tuples", T.show(p:starmap(add, proxy(2, function(i) return proxy(2, function(j) return i * j end) end))))
local count = function(...) return select("#", ...) .. ":" .. tostring((select(2, ...))) end
print("tuple's raw n keeps holes", T.show(p:starmap(count, {setmetatable({n = 3}, {__index = function(_, i) if i ~= 2 then return i end end})})))
print(T.errorof(p.starmap, add, {{1, 2}, proxy(2, function() error("bad tuple", 0) end)}))
print(T.errorof(p.starmap, add, {{1, 2}, proxy(0.5, error)}))
print(T.errorof(p.starmap, add, {{1, 2}, proxy(10^6, error)}))

print("-- apply's and a Process's arguments")
print("apply", p:apply(add, proxy(2, function(i) return i * 3 end)))
print("apply_async", p:apply_async(add, proxy(2, function(i) return i * 5 end)):get())
print("apply count", p:apply(count, setmetatable({n = 3}, {__index = function(_, i) return i ~= 2 and i or nil end})))
print(T.errorof(p.apply, add, proxy(2, function() error("bad args", 0) end)))
local child = mp.Process{target = function(a, b) print("child", a + b) end, args = proxy(2, function(i) return i * 7 end)}
child:start()
child:join()
print("child exit", child.exitcode)
print(T.errorof(mp.Process, print, proxy(1, function() error("bad process args", 0) end)))

print("-- a plain table with a metatable of other fields is read raw")
local plain = setmetatable({1, 2, 3}, {__tostring = function() return "list" end, __newindex = error})
print("map", T.show(p:map(inc, plain)))
print("starmap", T.show(p:starmap(add, {setmetatable({1, 2}, {__tostring = error})})))
p:close()
p:join()
