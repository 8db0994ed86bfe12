print("before")
local t = {}
print(t.missing.field)
