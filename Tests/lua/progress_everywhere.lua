-- A script that says nothing of progress: --progress, --progress=log and
-- LUAPOOL_PROGRESS turn it on for every call (see the .expect files).
local mp = require "multiprocessing"
local p <close> = mp.Pool(1)
print(#p:map(function(x) return x end, {1, 2, 3}))
print(#p:map(function(x) return x end, {1, 2, 3}, {progress = false}))
