#!/usr/bin/env luapool
-- The first line starts with '#': it is skipped, and line numbers still
-- count it.
print("line", debug.getinfo(1, "l").currentline)
error("on line 5")
