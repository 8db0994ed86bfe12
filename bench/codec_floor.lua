-- The least a round trip of the codec benchmark's records can cost in this
-- Lua, whatever the codec: work that any encoder and decoder written
-- against Lua's C API must do, timed here in plain Lua. Not a workload of
-- scripts/bench; run it by hand:
--
--   .build/release/luapool bench/codec_floor.lua
--
-- For 100,000 records {id = i, name = "n" .. i, score = i * 0.5}:
--   walk    reading every key and value of every record (an encoder must);
--   intern  making each name string from bytes: Lua interns every short
--           string, so this is a hash and a string-table lookup per name
--           (string.sub(s, 1) makes a string anew; string.len, the same
--           call without it, is subtracted);
--   build   making 100,000 tables of three fields from values at hand.
-- A decoder must intern and build, an encoder must walk. Their sum is
-- compared with a fifth of lua-cjson's round trip (the codec issue's goal:
-- at least 5x cjson), when lua-cjson is installed.
local N = 100000
local records, ids, names, scores = {}, {}, {}, {}
for i = 1, N do
  ids[i], names[i], scores[i] = i, "n" .. i, i * 0.5
  records[i] = {id = i, name = names[i], score = scores[i]}
end

local function cpu(f)
  collectgarbage()
  collectgarbage()
  local start = os.clock()
  f()
  return os.clock() - start
end

local sub, len = string.sub, string.len
local cases = {
  walk = function()
    for i = 1, N do for _ in next, records[i] do end end
  end,
  intern = function()
    for i = 1, N do local _ = sub(names[i], 1) end
  end,
  call = function()
    for i = 1, N do local _ = len(names[i]) end
  end,
  build = function()
    local out = {}
    for i = 1, N do out[i] = {id = ids[i], name = names[i], score = scores[i]} end
  end,
}
local ok, cjson = pcall(require, "cjson")
if ok then
  cases.cjson = function() cjson.decode(cjson.encode(records)) end
end

local samples = {}
for round = 0, 7 do
  for name, f in pairs(cases) do
    local t = cpu(f)
    if round > 0 then
      samples[name] = samples[name] or {}
      table.insert(samples[name], t)
    end
  end
end
local median = {}
for name, ts in pairs(samples) do
  table.sort(ts)
  median[name] = (ts[#ts // 2] + ts[#ts // 2 + 1]) / 2 * 1000
end

local intern = math.max(0, median.intern - median.call)
local floor = median.walk + intern + median.build
print(string.format("walk %.1f ms, intern %.1f ms, build %.1f ms: floor %.1f ms",
  median.walk, intern, median.build, floor))
if median.cjson then
  print(string.format("cjson round trip %.1f ms: the goal allows %.1f ms; the floor is %.1fx that",
    median.cjson, median.cjson / 5, floor / (median.cjson / 5)))
end
