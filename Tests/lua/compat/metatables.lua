-- Metatables and metamethods.
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a:len() < b:len() end
V.__le = function(a, b) return a:len() <= b:len() end
V.__tostring = function(v) return "(" .. v.x .. ", " .. v.y .. ")" end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__call = function(v, k) return v[k] end
V.__unm = function(v) return vec(-v.x, -v.y) end
V.__len = function() return 2 end
function V:len() return math.sqrt(self.x ^ 2 + self.y ^ 2) end
local a, b = vec(1, 2), vec(3, 4)
print(tostring(a + b), a == vec(1, 2), a ~= b, a < b, b <= a)
print(a .. b, a("y"), tostring(-a), #a, b:len())
print(getmetatable(a) == V, rawequal(a, vec(1, 2)))
local ro = setmetatable({}, {
  __newindex = function(_, k) error("read-only: " .. k, 2) end,
  __metatable = "locked",
})
print(pcall(function() ro.x = 1 end))
print(getmetatable(ro), pcall(setmetatable, ro, {}))
local default = setmetatable({}, { __index = function() return 0 end })
default.n = default.n + 1
print(default.n, default.other)
print(getmetatable("").__index == string, ("x"):upper())
