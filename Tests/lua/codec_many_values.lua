-- A message of many top-level values: as many as Lua's stack takes load;
-- more, or a count the bytes cannot hold, is an error, never a crash.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

-- version 1, `n` values, no key slots, then each value as int8 7.
local function message(n, values)
  return "\1" .. string.pack("<I4I2", n, 0) .. string.rep("\3\7", values or n)
end

print(select("#", mp.loads(message(100000))))
print(math.max(mp.loads(message(100000))))
print(T.errorof(mp.loads, message(999999)))
print(T.errorof(mp.loads, message(1000000)))
print(T.errorof(mp.loads, message(4294967295, 0)))
print(T.errorof(mp.loads, message(4294967295, 100)))
-- dumps makes one value, whatever it holds
local t = {}
for i = 1, 100000 do t[i] = i end
print(select("#", mp.loads(mp.dumps(t))), #mp.loads(mp.dumps(t)))
