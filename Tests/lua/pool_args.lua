-- Bad arguments, worded as lauxlib words them, with the same argument
-- numbers for p:m(...) and p.m(...).
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local f = function(x) return x end
local p = mp.Pool(1)
print(T.errorof(function() return pool.map(f, nil) end))
print(T.errorof(function() return pool:map(f, nil) end))
print(T.errorof(function() return p:map(f, nil) end))
print(T.errorof(function() return p.map(f, nil) end))
print(T.errorof(function() return pool.map(nil, {}) end))
print(T.errorof(function() return p:map(nil, {}) end))
print(T.errorof(function() return p.map(nil, {}) end))
print(T.errorof(function() return p:map(f) end))
print(T.errorof(function() return p:map(f, "abc") end))
print(T.errorof(function() return p:map("f", {}) end))
print(T.errorof(function() return p:starmap(f, 5) end))
print(T.errorof(function() return p.starmap(nil, {}) end))
print(T.errorof(function() return p:imap(f, nil) end))
print(T.errorof(function() return p.imap_unordered(f, true) end))
print(T.errorof(function() return p:apply(nil) end))
print(T.errorof(function() return p.apply(f, 5) end))
print(T.errorof(function() return p:apply_async(5) end))
print(T.errorof(function() return p:map_async(f, nil) end))
print(T.errorof(function() return p.starmap_async(f, nil) end))
-- chunksize: an integer, at least 1, or "auto"; an options table names what it sets
print(T.errorof(function() return p:map(f, {1}, {chunksize = 0}) end))
print(T.errorof(function() return p.map(f, {1}, "many") end))
print(T.errorof(function() return p:starmap(f, {{1}}, {bogus = 1}) end))
print(T.errorof(function() return p:imap(f, {1}, {[1] = 2}) end))
local function chunkerror(name, call)
  return T.errorof(call):match("^pool_args%.lua:%d+: bad argument #3 to '" .. name .. "' %(") ~= nil
end
local xs = {1, 2}
print("chunksize 0", chunkerror("map", function() return p:map(f, xs, 0) end),
  chunkerror("starmap", function() return p.starmap(f, {{1}}, 0) end),
  chunkerror("imap", function() return p:imap(f, xs, 0) end),
  chunkerror("map_async", function() return p.map_async(f, xs, 0) end))
print("chunksize -1", chunkerror("map", function() return p.map(f, xs, -1) end),
  chunkerror("imap_unordered", function() return p:imap_unordered(f, xs, -1) end),
  chunkerror("starmap_async", function() return p:starmap_async(f, {{1}}, -1) end))
print("chunksize 1.5", chunkerror("map", function() return p:map(f, xs, 1.5) end),
  chunkerror("imap", function() return p.imap(f, xs, 1.5) end))
-- nil or absent chunksize is the default
print(T.show(p:map(f, {1, 2}, nil)))

-- Pool's own arguments
print(T.errorof(function() return mp.Pool{procs = 2} end))
print(T.errorof(function() return mp.Pool{processes = 1, maxtasks = 2} end))
local function poolerror(arg)
  local err = T.errorof(function() return mp.Pool(arg) end)
  return err:match("^pool_args%.lua:%d+: bad argument #1 to 'Pool' %(") ~= nil
end
print("processes", poolerror(0), poolerror(-1), poolerror(1.5), poolerror(4097), poolerror("two"), poolerror{processes = 0}, poolerror{processes = 4097})
print("maxtasksperchild", poolerror{maxtasksperchild = 0}, poolerror{maxtasksperchild = 1.5})
print("initializer", poolerror{initializer = 5}, poolerror{initializer = "f"})
print("initargs", poolerror{initializer = f, initargs = 5})
print("seed", poolerror{seed = "x"}, poolerror{seed = 1.5})
-- good options are accepted
local q = mp.Pool{processes = 1, maxtasksperchild = 3, seed = 1, initializer = f, initargs = {1}}
print(T.show(q:map(f, {1})))
q:terminate()
p:terminate()
