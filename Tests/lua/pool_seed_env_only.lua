-- LUAPOOL_SEED alone seeds the default pool.
local S = require "helpers.seeded_draws"
print("call 0", S.same(pool.map(S.draws, {1, 2, 3}), 5, 0, 3))
-- a pool made by mp.Pool takes no seed from the environment
local mp = require "multiprocessing"
local p <close> = mp.Pool(2)
print("mp.Pool unseeded", p:map(S.draws, {1})[1] ~= S.expected(5, 0, 1))
