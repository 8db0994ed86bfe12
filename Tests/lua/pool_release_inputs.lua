-- A finished call lets go of its inputs and results: after 30 rounds of
-- every kind of call, each over one 1 MiB item, a collection gives the
-- memory back, as in plain Lua (before, about 1 MiB per call stayed).
local mp = require "multiprocessing"
local p = mp.Pool(2)
collectgarbage()
collectgarbage()
local before = collectgarbage("count")
local big = string.rep("x", 1 << 20)
local function size(s) return #s end
for i = 1, 30 do
  local item = {big .. i}
  p:map(size, item)
  p:starmap(size, {item})
  p:apply(size, item)
  p:map_async(size, item):get()
  p:apply_async(size, item):get()
  for _ in p:imap(size, item) do end
  for _ in p:imap_unordered(size, item) do end
  pcall(p.map, function() error("failed") end, item)
  pcall(p.map, function() error("failed") end, {item[1], item[1], item[1]}, 1)
end
big = nil
collectgarbage()
collectgarbage()
local left = (collectgarbage("count") - before) / 1024
print("MiB left under 2", left < 2)
p:close()
p:join()
collectgarbage()
print("after join, MiB left under 2", (collectgarbage("count") - before) / 1024 < 2)
