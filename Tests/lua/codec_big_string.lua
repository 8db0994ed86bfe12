-- A 100 MB string of every byte value, there and back once.
local mp = require "multiprocessing"
local chunk = {}
for i = 0, 255 do chunk[#chunk + 1] = string.char(i) end
local big = string.rep(table.concat(chunk), 100 * 1024 * 1024 // 256)
assert(#big == 100 * 1024 * 1024)
local bytes = mp.dumps(big)
assert(#bytes == #big + 12)  -- header 7, tag 1, length 4
assert(mp.loads(bytes) == big)
print("ok")
