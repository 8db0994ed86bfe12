-- A <close> variable of the main chunk receives the error value lua.c's
-- message handler made: the message with its traceback.
local x <close> = setmetatable({}, {__close = function(_, err)
  print("closing with:")
  print(err)
end})
error("boom")
