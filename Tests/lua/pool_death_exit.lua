-- A task calling os.exit(3) ends its worker: the call fails naming the
-- worker, its pid, the exit status and the item, also in the middle of a
-- chunk; the pool goes on.
local T = require "helpers.pooltest"
local D = require "helpers.pool_death"
local mp = require "multiprocessing"

local file = os.tmpname()
local p = mp.Pool(2)
-- items 5..8 are one chunk; item 6 is the one running when the worker dies
local err = T.errorof(function() return p:map(D.task("exit 3", 6, file), {1, 2, 3, 4, 5, 6, 7, 8}, 4) end)
D.report(err, file)
print(T.show(p:map(function(x) return x + 1 end, {1, 2, 3})))
err = T.errorof(function() return p:starmap(D.task("exit 3", 2, file), {{1}, {2}}, 1) end)
D.report(err, file)
print(T.show(p:map(function(x) return x + 1 end, {4})))
p:close()
p:join()
