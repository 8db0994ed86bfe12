-- A module for the -l tests (found through LUA_PATH=./helpers/?.lua).
loads = (loads or 0) + 1
return { name = "helper_module", loads = loads }
