-- What the seed cases share: a task that draws random numbers, and what
-- item i of a pool's call k must give under seed S, as a serial loop
-- computes it.
local M = {}

function M.draws() return math.random(1, 1000000000) .. "," .. math.random() end

function M.expected(seed, k, i)
  math.randomseed(seed, k * 2^32 + i)
  return M.draws()
end

-- Whether results r are those of call k under seed S, for items 1..#xs.
function M.same(r, seed, k, count)
  if r.n ~= count then return false end
  for i = 1, count do if r[i] ~= M.expected(seed, k, i) then return false end end
  return true
end

return M
