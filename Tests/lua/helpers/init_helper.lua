-- Run through LUA_INIT=@helpers/init_helper.lua.
print("init_helper.lua ran")
initialized_by_file = true
