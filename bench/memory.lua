-- Private memory of an idle pool worker: Private_Clean + Private_Dirty from
-- /proc/PID/smaps_rollup, read in the host after the workers ran one small
-- map and went idle. Twin: memory.py. Goal: at most 2 MiB.
-- Reports each worker's private KiB (and its Pss and Rss for information).
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local function pid() return require("multiprocessing").current_process().pid end

local p <close> = mp.Pool(2)
local pids, seen = {}, {}
for _ = 1, 20 do
  local items = {}
  for i = 1, 16 do items[i] = i end
  for _, w in ipairs(p:map(pid, items, 1)) do
    if not seen[w] then seen[w] = true; pids[#pids + 1] = w end
  end
  if #pids >= 2 then break end
end
for _, w in ipairs(pids) do
  local m = assert(timing.smaps(w), "cannot read /proc/" .. w .. "/smaps_rollup")
  timing.value("private_kib", m.private)
  timing.value("pss_kib", m.pss)
  timing.value("rss_kib", m.rss)
end
local host = timing.smaps("self")
timing.info(string.format("host: private %d KiB, pss %d KiB, rss %d KiB",
  host.private, host.pss, host.rss))
