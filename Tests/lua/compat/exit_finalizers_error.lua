-- After an uncaught error the state is closed too: finalizers run after
-- the error is reported.
local kept = setmetatable({}, {__gc = function() print("finalizer after the error") end})
print("before the error")
error("the script fails")
