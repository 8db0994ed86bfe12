-- Counts the primes below N (default 100000) by trial division, in blocks
-- counted in parallel by the global pool, and prints how many each block
-- holds.
--   scripts/run examples/primes.lua 200000
local limit = tonumber(arg and arg[1]) or 100000
local blocks = 4

local function is_prime(n)
  if n < 2 then return false end
  if n % 2 == 0 then return n == 2 end
  for d = 3, math.floor(math.sqrt(n)), 2 do
    if n % d == 0 then return false end
  end
  return true
end

local function count_primes(from, to)
  local count = 0
  for n = from, to do
    if is_prime(n) then count = count + 1 end
  end
  return count
end

local size = limit // blocks
local ranges = {}
for b = 0, blocks - 1 do
  ranges[b + 1] = {b * size, (b == blocks - 1) and limit - 1 or (b + 1) * size - 1}
end
local counts = pool.starmap(count_primes, ranges)
local total = 0
for b, range in ipairs(ranges) do
  total = total + counts[b]
  print(string.format("%8d .. %-8d %6d primes", range[1], range[2], counts[b]))
end
print(string.format("%d primes below %d", total, limit))
