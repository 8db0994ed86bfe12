-- An error object with __tostring is turned into text in the message
-- handler, before the stack unwinds: debug.getinfo there still sees the
-- function that raised it.
local function where()
  local names = {}
  for level = 2, 6 do
    local info = debug.getinfo(level, "Sl")
    if not info then break end
    names[#names + 1] = info.short_src .. ":" .. info.currentline
  end
  return table.concat(names, " ")
end
local E = setmetatable({}, {__tostring = function() return "error seen from " .. where() end})
local function deep() error(E) end
deep()
