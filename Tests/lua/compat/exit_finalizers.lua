-- At the end of a script the state is closed: finalizers of live objects
-- run, in reverse order of marking, an error in one is a warning, and an
-- io.popen child is waited for.
warn("@on")
local live = setmetatable({}, {__gc = function() print("finalizer of a live object") end})
local failing = setmetatable({}, {__gc = function() error("failed in __gc") end})
for i = 1, 3 do setmetatable({}, {__gc = function() print("finalizer", i) end}) end
local child = io.popen("echo from the popen child")
print("end of the script", select("#", ...))
