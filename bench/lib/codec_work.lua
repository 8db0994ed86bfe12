-- The work of the codec benchmark, shared by bench/codec.lua (mp.dumps and
-- mp.loads) and its twin bench/codec_cjson.lua (cjson.encode and
-- cjson.decode), so that both time the same tables the same way.
--
-- Tables: an array of 1,000,000 floats and one of 100,000 records
-- {id = i, name = "n" .. i, score = i * 0.5} (a tenth of each under
-- --quick). Each case is timed with os.clock (CPU time: the work is all in
-- this process) after two full collections, in the interpreter's usual
-- generational mode: the round trip decode(encode(t)) as the metric
-- `floats` or `records`, then encode alone (`floats_encode`...) and decode
-- alone (`floats_decode`...). One warm-up, then 3 counted rounds that
-- alternate between the cases.
local timing = require "timing"

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

local function cpu_time(f, x)
  collectgarbage()
  collectgarbage()
  local start = os.clock()
  f(x)
  return os.clock() - start
end

--- Times `decode(encode(t))`, `encode` and `decode` on both tables and
--- reports each time as a `sample` line.
return function(encode, decode)
  local scale = timing.quick() and 10 or 1
  local cases = {
    {name = "floats", t = floats(1000000 // scale)},
    {name = "records", t = records(100000 // scale)},
  }
  local function roundtrip(t) return decode(encode(t)) end
  for _, case in ipairs(cases) do
    local back = roundtrip(case.t)
    assert(#back == #case.t, "round trip lost items")
    case.encoded = encode(case.t)
  end
  for round = 0, 3 do
    for _, case in ipairs(cases) do
      local times = {
        [""] = cpu_time(roundtrip, case.t),
        _encode = cpu_time(encode, case.t),
        _decode = cpu_time(decode, case.encoded),
      }
      if round > 0 then
        for suffix, seconds in pairs(times) do
          timing.sample(case.name .. suffix, seconds)
        end
      end
    end
  end
end
