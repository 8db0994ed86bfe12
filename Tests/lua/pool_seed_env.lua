-- LUAPOOL_SEED seeds the default pool, and --seed wins over it: the same
-- checks as pool_seed_default.lua, run with both set.
dofile("pool_seed_default.lua")
