-- os.exit(3, true): the workers flush their output and leave before the
-- state is closed.
require("helpers.exit_output").start()
setmetatable({}, {__gc = function() print("[closed]") end})
os.exit(3, true)
