-- One process per number, the classic multiprocessing example: each child
-- prints its square and who computed it; the host starts them all, then
-- joins them all. The lines come in whatever order the children finish.
--   scripts/run examples/squares.lua
local mp = require "multiprocessing"

local function square(n)
  print(string.format("%d squared to %d by: %s", n, n * n, mp.current_process().name))
end

local processes = {}
for n = 2, 6 do
  local p = mp.Process{target = square, args = {n}}
  processes[#processes + 1] = p
  p:start()
end
for _, p in ipairs(processes) do
  p:join()
end
