-- A dropped map_async whose finalizer runs while the host stores its last
-- answer (the collector runs as the results table is made) leaves nothing
-- behind: no results table stays referenced from the registry.
local mp = require "multiprocessing"
local p = mp.Pool(2)
local xs = {}
for i = 1, 70000 do xs[i] = i end
local function held()
  local n = 0
  for _, v in pairs(debug.getregistry()) do
    if type(v) == "table" and v.n == #xs then n = n + 1 end
  end
  return n
end
for _ = 1, 40 do
  p:map_async(function(x) return x end, xs, #xs)
  assert(#p:map(function(x) return x end, xs, #xs // 2) == #xs)
end
p:close()
p:join()
collectgarbage()
collectgarbage()
print("results tables held", held())
