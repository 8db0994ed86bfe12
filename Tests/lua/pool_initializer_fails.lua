-- An initializer that fails breaks the pool: the call raises, later calls
-- raise the same, and no worker is respawned forever.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

-- the first line of an error, normalized, without a leading position
local function first(err)
  return (T.head(err, 1):gsub("^pool_initializer_fails%.lua:%d+: ", ""))
end

local p = mp.Pool{processes = 2, initializer = function() error("setup broke") end}
local err = T.errorof(function() return p:map(function(x) return x end, {1, 2, 3}) end)
print(first(err))
print(first(T.errorof(function() return p:map(function(x) return x end, {1}) end)))
print(first(T.errorof(function() return p.apply(function() return 1 end) end)))
print(first(T.errorof(function() return p:apply_async(function() return 1 end):get() end)))
p:terminate()

-- initargs reach the failing initializer
p = mp.Pool{processes = 1, initializer = function(why) error(why, 0) end, initargs = {"no database"}}
print(first(T.errorof(function() return p:map(function(x) return x end, {1}) end)))
p:terminate()

-- an initializer that exits
p = mp.Pool{processes = 2, initializer = function() os.exit(5) end}
err = first(T.errorof(function() return p:map(function(x) return x end, {1, 2}) end))
print(err:match("^initializer failed in PoolWorker%-N %(pid P%): ") ~= nil, T.has(err, "exited with status 5"))
p:terminate()

-- other pools are not affected
local q = mp.Pool(2)
print(T.show(q:map(function(x) return x * 2 end, {1, 2})))
q:terminate()
