-- LUAPOOL_PROGRESS: see the .expect file.
local mp = require "multiprocessing"
local p <close> = mp.Pool(1)
print(#p:map(function(x) return x end, {1, 2}))
