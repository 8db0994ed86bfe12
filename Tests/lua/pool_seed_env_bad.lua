-- A LUAPOOL_SEED that is not an integer: an error at the default pool's
-- first use.
print(pcall(pool.map, print, {1}))
