-- Task output is not lost when the script ends: workers flush and leave
-- on their own (one still on a task finishes it first, within the grace).
require("helpers.exit_output").start()
