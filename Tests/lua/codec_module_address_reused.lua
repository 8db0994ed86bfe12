-- The codec keeps the modules it found in package.loaded while
-- package.loaded holds the same keys and values. A module dropped and
-- collected, whose address a function then takes under the same name, is
-- not the same value: the function is sent as a function, not as a
-- reference to the module.
local mp = require "multiprocessing"
local t = {}
package.loaded.reused_mod = t
local address = string.format("%p", t)
assert(#mp.dumps({1}) > 0)  -- the codec reads package.loaded now
package.loaded.reused_mod = nil
t = nil
collectgarbage()
collectgarbage()
local keep, hit = {}, nil
for i = 1, 20000 do
  local a, b, c = i, i + 1, i + 2
  local f = function() return a + b + c end
  if string.format("%p", f) == address then hit = f break end
  keep[#keep + 1] = f
end
print("a function took the module's address", hit ~= nil)
package.loaded.reused_mod = hit
local bytes = mp.dumps(hit)
print("sent by name", bytes:find("reused_mod", 1, true) ~= nil)
local back = mp.loads(bytes, {functions = true})
print("back", type(back), back and back() == hit())
package.loaded.reused_mod = nil
