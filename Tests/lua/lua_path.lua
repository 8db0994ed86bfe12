print("LUA_PATH used:", package.path:find("/from/LUA_PATH/", 1, true) ~= nil)
