-- An uncaught error: message and traceback through several functions.
local M = {}

function M.validate(x)
  if type(x) ~= "number" then
    error("number expected, got " .. type(x))
  end
  return x
end

local function process(list)
  local total = 0
  for _, v in ipairs(list) do total = total + M.validate(v) end
  return total
end

print(process({ 1, 2, 3 }))
print(pcall(process, { 1, "x" }))
process({ 1, {} })
