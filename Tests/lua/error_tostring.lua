local E = setmetatable({ code = 7 }, {
  __tostring = function(e) return "custom error " .. e.code end,
})
error(E)
