-- Tables and the table library.
local t = { 10, 20, 30 }
table.insert(t, 40)
table.insert(t, 1, 5)
print(#t, table.concat(t, ","))
print(table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.unpack({ 1, 2, 3 }))
print(select("#", table.unpack({ 1, nil, 3 }, 1, 3)))
local names = { "pear", "apple", "fig", "banana" }
table.sort(names)
print(table.concat(names, " "))
table.sort(names, function(a, b) return #a < #b or (#a == #b and a < b) end)
print(table.concat(names, " "))
local moved = table.move({ 1, 2, 3 }, 1, 3, 2, { 0 })
print(table.concat(moved, ","))
local packed = table.pack("a", nil, "c")
print(packed.n, packed[1], packed[2], packed[3])
local keys = {}
for k in pairs({ x = 1, y = 2, z = 3 }) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys))
for i, v in ipairs({ "a", "b", nil, "d" }) do io.write(i, v, " ") end
print()
local proxy = setmetatable({}, {
  __index = function(_, k) return k .. "!" end,
  __len = function() return 99 end,
})
print(proxy.hello, #proxy, rawlen(proxy), rawget(proxy, "hello"))
local nested = { a = { b = { c = "deep" } } }
print(nested.a.b.c, next({}), type(next({ 1 })))
