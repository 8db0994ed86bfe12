-- Codec speed, in process: loads(dumps(t)) against lua-cjson's
-- decode(encode(t)) of the same table, alternating, after a warm-up.
--
--   .build-codec/release/luapool bench/codec.lua [runs]
--
-- Prints the median CPU time (os.clock) of each and their ratio. Goals:
-- 10x on a 1,000,000-float array, 5x on 100,000 records.

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

local function bench(name, t, goal)
  check(t)
  time(codec, t)
  time(json, t)
  local ours, theirs = {}, {}
  for _ = 1, runs do
    ours[#ours + 1] = time(codec, t)
    theirs[#theirs + 1] = time(json, t)
  end
  local a, b = median(ours), median(theirs)
  local ratio = b / a
  print(string.format("| %s | %.1f ms | %.1f ms | %.1fx | %dx | %s |",
    name, a * 1000, b * 1000, ratio, goal, ratio >= goal and "met" or "NOT met"))
end

print(string.format("codec vs lua-cjson, median of %d runs (os.clock)", runs))
print("| workload | loads(dumps(t)) | cjson.decode(cjson.encode(t)) | ratio | goal | |")
print("|---|---|---|---|---|---|")
bench("1,000,000 floats", floats(1000000), 10)
bench("100,000 records", records(100000), 5)
