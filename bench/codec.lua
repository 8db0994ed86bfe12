-- Codec speed, in process: loads(dumps(t)) against lua-cjson's
-- decode(encode(t)) of the same table, alternating, after a warm-up.
--
--   .build-codec/release/luapool bench/codec.lua [runs]
--
-- Prints the median CPU time (os.clock) of each and their ratio, then each
-- direction on its own. Goals: 10x on a 1,000,000-float array, 5x on
-- 100,000 records {id = i, name = "n" .. i, score = i * 0.5}. Runs
-- alternate between the cases; a full collection precedes each timing.

local mp = require "multiprocessing"
local cjson = require "cjson"

local runs = tonumber(arg and arg[1]) or 9

local function floats(n)
  local t = {}
  for i = 1, n do t[i] = i * 0.1 + 1 / 3 end
  return t
end

local function records(n)
  local t = {}
  for i = 1, n do t[i] = {id = i, name = "n" .. i, score = i * 0.5} end
  return t
end

local function time(f, t)
  collectgarbage()
  collectgarbage()
  local start = os.clock()
  f(t)
  return os.clock() - start
end

local function median(xs)
  table.sort(xs)
  local n = #xs
  if n % 2 == 1 then return xs[(n + 1) // 2] end
  return (xs[n // 2] + xs[n // 2 + 1]) / 2
end

local function codec(t) return mp.loads(mp.dumps(t)) end
local function json(t) return cjson.decode(cjson.encode(t)) end

local function check(t)
  local u = codec(t)
  assert(#u == #t)
  local v = json(t)
  assert(#v == #t)
end

local rows, parts = {}, {}

local function bench(name, t, goal)
  check(t)
  local bytes, text = mp.dumps(t), cjson.encode(t)
  local cases = {
    {codec, t}, {json, t},
    {mp.dumps, t}, {cjson.encode, t},
    {mp.loads, bytes}, {cjson.decode, text},
  }
  local samples = {}
  for i, case in ipairs(cases) do
    time(case[1], case[2])  -- warm-up
    samples[i] = {}
  end
  for _ = 1, runs do
    for i, case in ipairs(cases) do
      samples[i][#samples[i] + 1] = time(case[1], case[2])
    end
  end
  local m = {}
  for i = 1, #cases do m[i] = median(samples[i]) * 1000 end
  local ratio = m[2] / m[1]
  rows[#rows + 1] = string.format("| %s | %.1f ms | %.1f ms | %.1fx | %dx | %s |",
    name, m[1], m[2], ratio, goal, ratio >= goal and "met" or "NOT met")
  parts[#parts + 1] = string.format("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms |",
    name, m[3], m[5], m[4], m[6])
end

bench("1,000,000 floats", floats(1000000), 10)
bench("100,000 records", records(100000), 5)
print(string.format("median of %d runs each, after a warm-up, os.clock (CPU time)", runs))
print()
print("| workload | loads(dumps(t)) | cjson.decode(cjson.encode(t)) | ratio | goal | |")
print("|---|---|---|---|---|---|")
for _, row in ipairs(rows) do print(row) end
print()
print("| workload | dumps | loads | cjson.encode | cjson.decode |")
print("|---|---|---|---|---|")
for _, row in ipairs(parts) do print(row) end
