-- starmap: each tuple unpacked with its n, nils kept; tuple items must be
-- tables.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function add(a, b) return a + b end
local function count(...)
  local args = table.pack(...)
  local shown = {}
  for i = 1, args.n do shown[i] = tostring(args[i]) end
  return args.n .. ":" .. table.concat(shown, ",")
end

print(T.show(pool.starmap(add, {{1, 2}, {3, 4}, {5, 6}})))
print(T.show(pool:starmap(add, {{10, 20}})))
-- nils inside tuples, an explicit n longer than the tuple, empty tuples
print(T.show(pool.starmap(count, {{1, nil, 3, n = 3}, {nil, nil, n = 2}, {n = 0}, {}, {1, 2, n = 4}})))
-- n = 1 cuts a tuple short
print(T.show(pool.starmap(count, {{"a", "b", n = 1}})))
-- the list of tuples honours its own n (a nil tuple is not a table)
print(T.show(pool.starmap(add, {{1, 1}, {2, 2}, n = 2})))
print(T.show(pool.starmap(add, {n = 0})))
print(T.show(pool.starmap(add, {})))
-- nil results are holes
print(T.show(pool.starmap(function(a) return a end, {{1}, {nil, n = 1}, {3}})))

local p = mp.Pool(2)
print(T.show(p:starmap(add, {{1, 2}, {3, 4}}, 1)))
print(T.show(p.starmap(add, {{5, 6}, {7, 8}})))
p:terminate()

-- every item must be a table
print(T.errorof(function() return pool.starmap(add, {{1, 2}, {3, 4}, 5}) end))
print(T.errorof(function() return pool:starmap(add, {"x"}) end))
print(T.errorof(function() return pool.starmap(add, {{1, 2}, nil, n = 2}) end))
