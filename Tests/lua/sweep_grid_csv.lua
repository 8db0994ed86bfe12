-- mp.grid: the cartesian product of parameter lists, keys sorted, the last
-- key varying fastest. mp.write_csv: RFC 4180 (quotes doubled, fields with
-- a comma, a quote or a line break quoted, CRLF line ends), columns sorted
-- or as given, numbers exact.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local points = mp.grid{b = {"x", "y"}, a = {1, 2, 3}, c = {true}}
for i, p in ipairs(points) do print(i, T.repr(p)) end
print(#mp.grid{only = {1}}, #mp.grid{})
for _, bad in ipairs{{a = {}}, {a = 3}, {[1] = {2}}, {a = {1}, [true] = {2}}} do
  print((T.head(T.errorof(mp.grid, bad), 1)))
end
print(T.head(T.errorof(mp.grid, "a"), 1))
local many = {}
for i = 1, 60 do many["k" .. i] = {i} end
print("60 parameters:", #mp.grid(many), mp.grid(many)[1].k60)

local path = os.tmpname()
local function show(file)
  local f = assert(io.open(file, "rb"))
  local text = f:read("a")
  f:close()
  return (text:gsub("\r", "\\r"))
end
print(mp.write_csv(path, {
  {name = "plain", x = 1, y = 0.1},
  {name = 'say "hi", then', x = 2^53, y = 1 / 3},
  {name = "two\nlines", x = -0.0, y = 1e300 * 1e10, flag = true},
  {name = "cr\rhere", x = math.mininteger, y = -1e-7, flag = false},
}))
io.write(show(path))
print(mp.write_csv(path, {{x = 1, y = 2, z = 3}}, {"z", "x"}))
io.write(show(path))
print(mp.write_csv(path, {{["a,b"] = 1, ['say "x"'] = 2}}))
io.write(show(path))
print(mp.write_csv(path, {}))
io.write(show(path))
for _, bad in ipairs{
  {{{x = {}}}}, {{{1, 2}}}, {{3}}, {{{x = 1}}, {}}, {{{x = 1}}, {1}}, {{{x = print}}, {"x"}},
} do
  print((T.head(T.errorof(mp.write_csv, path, bad[1], bad[2]), 1):gsub("0x%x+", "ADDR")))
end
print(T.head(T.errorof(mp.write_csv, "/nonexistent-dir/out.csv", {{x = 1}}), 1))
os.remove(path)
