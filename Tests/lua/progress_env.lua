-- LUAPOOL_PROGRESS (see the .expect files): log lines, or a bar that a pipe
-- does not show, or an error for a bad value.
local mp = require "multiprocessing"
local p <close> = mp.Pool(1)
print(#p:map(function(x) return x end, {1, 2}))
