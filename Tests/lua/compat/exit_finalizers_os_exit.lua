-- os.exit(code, true) closes the state: finalizers run; os.exit(code)
-- alone would not (lua.c). The finalizer sees the pool already gone.
local kept = setmetatable({}, {__gc = function() print("finalizer at os.exit") end})
print("exiting")
os.exit(3, true)
