-- An answer leaves as soon as its chunk ends: it never waits in the
-- worker while the next chunk runs (only answers of quick chunks of one
-- map may wait, for under a millisecond).
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p = mp.Pool(1)
local function sleepy(x) os.execute("sleep " .. x) return x end

local start = T.now()
local at = {}
for i, v in p:imap(sleepy, {0.01, 2, 0.01}, 1) do at[i] = T.now() - start end
print("imap: item 1 before item 2 ends", at[1] < 1.5, "item 2 after", at[2] >= 2)

-- a quick apply_async, then a slow one: the quick one's result is there
-- at once
start = T.now()
local a = p:apply_async(function() return "quick" end)
local b = p:apply_async(sleepy, {2})
print("apply_async", a:get(), T.now() - start < 1.5)
print("slow", b:get(), T.now() - start >= 2)

-- map_async quick items, then an apply_async that takes long: the map's
-- results are ready before the slow call ends
start = T.now()
local m = p:map_async(function(x) return x + 1 end, {1, 2, 3}, 1)
local slow = p:apply_async(sleepy, {2})
print("map_async", T.show(m:get()), T.now() - start < 1.5)
print("ready while the slow call runs", m:ready(), slow:ready())
slow:wait()
p:terminate()
