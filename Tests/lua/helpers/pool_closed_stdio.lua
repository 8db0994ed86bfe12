-- Run by PoolSystemFailureTests with one of the standard descriptors
-- closed: the pool's sockets must not take its place.
local r = pool.map(function(x) return x * 2 end, {1, 2, 3})
print("stdout", r[1], r[2], r[3])
io.stderr:write("stderr ", r[1], " ", r[2], " ", r[3], "\n")
local again = pool.map(function(x) return x + 1 end, {1, 2, 3})
print("again", again[3])
io.stderr:write("again ", again[3], "\n")
-- standard input reads as empty (closed at start: /dev/null), not from a
-- worker's socket
io.stderr:write("stdin ", tostring(io.read("l")), "\n")
