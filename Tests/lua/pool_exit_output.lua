-- Task output is not lost when the script ends: workers flush and leave
-- on their own (one still on a task finishes it first, within the grace);
-- then the state is closed, and finalizers run.
require("helpers.exit_output").start()
local kept = setmetatable({}, {__gc = function() print("[closed]") end})
