print("count", select("#", ...))
local a, b, c = ...
print(a, b, c)
local packed = table.pack(...)
print(packed.n, packed[3] == "")
