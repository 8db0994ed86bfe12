-- The default pool takes its seed from --seed N (or LUAPOOL_SEED): item
-- i of its k-th call runs after math.randomseed(N, k * 2^32 + i). The
-- host's own math.randomseed changes nothing in the workers.
local S = require "helpers.seeded_draws"
local seed = tonumber(arg[1])
local xs = {1, 2, 3, 4, 5}
math.randomseed(99)
print("call 0", S.same(pool.map(S.draws, xs), seed, 0, 5))
print("call 1", S.same(pool.map(S.draws, xs, 1), seed, 1, 5))
print("call 2", pool.apply(S.draws, {}) == S.expected(seed, 2, 1))
-- after join the default pool starts again, and its calls go on counting
pool.close()
pool.join()
print("call 3", S.same(pool.map(S.draws, xs), seed, 3, 5))
