local cjson = require "cjson"
print(cjson.encode({ 1, 2, 3 }))
local t = cjson.decode('{"name": "luapool", "list": [1, 2.5, true]}')
print(t.name, t.list[1], t.list[2], t.list[3], #t.list)
