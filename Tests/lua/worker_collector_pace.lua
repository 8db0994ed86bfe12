-- After a worker's full collection (it makes one after a value of 32 MiB
-- or more), its collector keeps pace with what is left: values of a few
-- hundred KiB made afterwards are freed as they go, not piled up until
-- the heap has grown by the large value's size again (as Lua 5.4.4's
-- generational collector does after a full collection that freed a
-- large object). Measured in the worker, in KiB.
local mp = require "multiprocessing"
local p <close> = mp.Pool(1)

local function churn()
  local peak = 0
  for i = 1, 400 do
    local s = string.rep("y", 256 * 1024) .. i
    peak = math.max(peak, collectgarbage("count"))
  end
  return peak
end

local before = p:apply(churn)
print("before", before < 8 * 1024)
-- a 64 MiB value there and back: the worker collects after each frame
print("large", p:apply(function(s) return #s end, {string.rep("x", 64 * 2^20)}))
local after = p:apply(churn)
print("after", after < 8 * 1024, after < 2 * before + 2048)
