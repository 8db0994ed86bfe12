-- Under mpirun -n 3: imap, imap_unordered, async calls with callbacks,
-- progress as log lines (stderr), and a checkpoint (arg[1]) that a second
-- run resumes from.
local mp = require "multiprocessing"
for i, v in pool:imap(function(x) return x + 1 end, {1, 2, 3}) do io.write(i, "=", v, " ") end
print()
local seen = {}
for i, v in pool:imap_unordered(function(x) return x * 2 end, {1, 2, 3}) do seen[#seen + 1] = v end
table.sort(seen)
print("unordered", table.concat(seen, " "))
local got = {}
local a = pool:apply_async(function() return "async" end, {}, {callback = function(v) got[#got + 1] = v end})
local m = pool:map_async(function(x) return x end, {1, 2}, {callback = function(t) got[#got + 1] = t.n end})
a:wait()
m:wait()
table.sort(got, function(x, y) return tostring(x) < tostring(y) end)
print("callbacks", table.concat(got, " "))
local runs = arg[2]
local r = pool:map(function(x)
  local f = io.open(runs, "a") f:write(x, "\n") f:close()
  return x * x
end, {1, 2, 3, 4, 5, 6}, {checkpoint = arg[1], progress = "log", chunksize = 1})
local sum = 0
for i = 1, r.n do sum = sum + r[i] end
print("checkpointed sum", sum)
