-- Pulls never deadlock: every wait of the script answers the pulls of
-- every pool's workers; a pull made while the script runs its own code is
-- answered at its next wait; a module the script requires while it waits
-- may not call the pool.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p = mp.Pool(1)
local q = mp.Pool(1)

-- q's worker pulls while the script waits on p, then on a Process
SHARED = "from the script"
local r = q:apply_async(function() return {SHARED, T.now()} end)
local started = T.now()
p:apply(function() os.execute("sleep 0.5") end)
local proc = mp.Process(function() os.execute("sleep 0.3") end)
proc:start()
proc:join()
local value, at = table.unpack(r:get())
print("pulled during another pool's wait", value, at - started < 0.45)

-- a pull made while the script runs its own code waits for its next
-- wait, and sees the value the script has then
local late = p:apply_async(function() os.execute("sleep 0.1") return LATER end)
T.spin(0.5)
LATER = "set while the pull waited"
print("apply_async", late:get())

-- a module required by the script during a wait cannot call the pool
print(T.head(T.errorof(p.apply, function()
  return require("helpers.pool_calling_module")
end), 1))
p:terminate()
q:terminate()
