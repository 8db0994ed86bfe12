-- Varargs and the arg table (run with: one "two words" "").
print(select("#", ...), ...)
print(arg[0], #arg, arg[1], arg[2], arg[3] == "")
local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(...))
local function last(...) return (select(-1, ...)) end
print(last(1, 2, 3))
local function pass(...) return ... end
print(pass(1, nil, 3))
print((pass(1, 2, 3)))
local t = { ..., "end" }
print(#t, t[1], t[4])
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...)) end
  return s
end
print(sum(1, 2, 3, 4.5))
print(table.unpack({ ... }, 2))
