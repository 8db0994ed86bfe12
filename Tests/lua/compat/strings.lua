-- The string library.
local s = "Hello, Lua world"
print(#s, s:upper(), s:lower())
print(s:sub(1, 5), s:sub(-5), s:sub(8, -7), s:sub(100))
print(s:find("Lua"), s:find("o", 6), s:find("%a+", 8), s:find("xyz"))
print(s:match("(%a+), (%a+)"))
print(s:gsub("o", "0"))
print(("abc"):rep(3, "-"), ("x"):rep(0))
print(("hello"):byte(1, -1))
print(string.char(76, 117, 97))
for word in s:gmatch("%a+") do io.write(word, "|") end
print()
print(("  trim me  "):match("^%s*(.-)%s*$") .. "!")
print(("key=value; other=thing"):gsub("(%w+)=(%w+)", "%2=%1"))
print(("%d items"):format(3), ("a,b,,c"):find(",", 1, true))
print(s:reverse(), ("a\0b"):len(), #"\u{48}\z
      i")
print(tostring(nil), tostring(true), tostring(12), tostring(1.5))
print(string.pack("<i4", 1):byte(1, -1))
print(("x"):rep(3) < ("y"), "a" .. 1 .. 2.0)
