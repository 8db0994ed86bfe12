print("LUA_INIT ran:", init_ran)
print("LUA_PATH used:", package.path:find("/from/LUA_PATH/", 1, true) ~= nil)
print("LUA_CPATH used:", package.cpath:find("/from/LUA_CPATH/", 1, true) ~= nil)
