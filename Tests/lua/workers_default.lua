print("pool size", debug.getregistry()["luapool.workers"])
