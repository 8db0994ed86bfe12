-- Output buffered in the host when workers are forked is printed once:
-- stdout here is a pipe, so the host's stdout is fully buffered.
local mp = require "multiprocessing"

io.write("x\n")
local r = pool.map(function(x) return x * 2 end, {1, 2, 3})
print(r[1], r[2], r[3])
-- buffered text, then replacement workers forked in the middle of a map
local p = mp.Pool{processes = 1, maxtasksperchild = 1}
io.write("y\n")
r = p:map(function(x) return x end, {1, 2, 3}, 1)
print(r.n)
io.write("z")
p:terminate()
p = mp.Pool(2)
print()
p:close()
p:join()
print("end")
