local E = setmetatable({}, {
  __tostring = function() error("tostring failed") end,
})
error(E)
