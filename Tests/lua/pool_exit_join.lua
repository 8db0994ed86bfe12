-- close and join, and leaving a <close> scope: the workers flush their
-- output and leave.
local mp = require "multiprocessing"
local p = mp.Pool(2)
p:map(function() io.write("[map]") end, {1, 2}, 1)
p:close()
p:join()
print("[joined]")
do
  local q <close> = mp.Pool(1)
  q:apply_async(function() io.stdout:setvbuf("full") io.write("[async]\n") end)
end
print("[scope left]")
pool.map(function() io.write("[default]") end, {1})
pool.close()
pool.join()
print("[default joined]")
