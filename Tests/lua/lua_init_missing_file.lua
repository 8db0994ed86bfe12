print("not reached: LUA_INIT failed")
