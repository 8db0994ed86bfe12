-- p:map(f, records) over 100,000 records {id, name, score} on a pool of 2,
-- default chunks; f returns a new record for each. Twin: records.py (dicts).
-- No goal set by an issue. Each run: one warm-up map, then 3 timed maps.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local timing = require "timing"
local mp = require "multiprocessing"

local n = timing.quick() and 20000 or 100000
local records = {}
for i = 1, n do records[i] = {id = i, name = "n" .. i, score = i * 0.5} end

local function rescore(r)
  return {id = r.id, name = r.name, score = r.score * 2}
end

local p <close> = mp.Pool(2)
for i = 0, 3 do
  if i > 0 then timing.start("map") end
  local out = p:map(rescore, records)
  if i > 0 then timing.stop("map") end
  assert(out.n == n and out[n].score == n and out[n].name == "n" .. n)
end
