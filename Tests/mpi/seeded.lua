-- The same seeded script prints the same output with 1, 2 or 4 ranks, and
-- without MPI (run with --seed 7).
local mp = require "multiprocessing"
local r = pool:map(function(x) return math.random(1000000) end, {1, 2, 3, 4, 5, 6, 7, 8})
print(table.concat(r, " ", 1, r.n))
local s = pool:starmap(function(a, b) return a + math.random() end, {{1, 2}, {3, 4}})
print(s[1], s[2])
for i, v in pool:imap(function(x) return math.random(100) end, {1, 2, 3}) do io.write(v, " ") end print()
print(pool:apply(function() return math.random(1000) end))
