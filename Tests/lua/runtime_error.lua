local function fail(message)
  local prefix = "boom: "
  error(prefix .. message)
end

fail("from line 3")
print("not reached")
