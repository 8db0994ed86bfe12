-- Argument lists of any length: as many values as Lua's stack takes (as
-- table.unpack), else table.unpack's own error; never a crash.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function range(n)
  local t = {}
  for i = 1, n do t[i] = i end
  return t
end
local count = function(...) return select("#", ...) end

-- apply
print(pool.apply(math.max, range(9000)))
print(pool.apply(math.max, range(100000)))
print(pool.apply(count, {n = 100000}))
print(T.head(T.errorof(pool.apply, math.max, range(2000000)), 1))
print(T.head(T.errorof(pool.apply, count, {n = 2000000}), 1))
print(T.head(T.errorof(pool.apply, count, {n = math.maxinteger}), 1))
-- the worker is fine afterwards
print(pool.apply(math.max, {1, 5, 2}))

-- starmap: small chunks and a large one (items read one at a time)
local big = range(100000)
print(T.show(pool.starmap(math.max, {big, {1, 2}, big})))
local tuples = {}
for i = 1, 300 do tuples[i] = {i, -i} end
tuples[150] = big
local maxima = pool.starmap(math.max, tuples, 300)
print(maxima.n, maxima[1], maxima[150], maxima[300])
tuples[150] = range(2000000)
print(T.head(T.errorof(pool.starmap, math.max, tuples, 300), 1))
print(T.head(T.errorof(pool.starmap, math.max, tuples, 10), 1))

-- initargs
do
  local p <close> = mp.Pool{processes = 1, initializer = function(...) N = select("#", ...) end,
                            initargs = range(100000)}
  print(p:apply(function() return N end))
end
do
  local p <close> = mp.Pool{processes = 1, initializer = function(...) N = select("#", ...) end,
                            initargs = range(2000000)}
  print(T.head(T.errorof(p.apply, p, function() return N end), 1))
end

-- Process: at most 100,000 arguments, said when it is made
local proc = mp.Process{target = function(...) print("process", select("#", ...), (math.max(...))) end,
                        args = range(100000)}
proc:start()
proc:join()
print(proc.exitcode)
