-- callback and error_callback of apply_async, map_async, starmap_async: run
-- in the host, in completion order, once the wait in which their result
-- arrived has returned, outside the pool's busy section (a callback may
-- submit more work). callback gets what get() returns, error_callback the
-- error get() raises; an error in a callback is raised from the call that
-- ran it.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p <close> = mp.Pool(2)
local events = {}
local function note(text) events[#events + 1] = text end

-- completion order: the slow one, submitted first, finishes last
local slow = p:apply_async(function() T.spin(0.3) return "slow" end, {}, {callback = function(v) note("apply " .. v) end})
local quick = p:apply_async(function() return "quick" end, {}, {callback = function(v) note("apply " .. v) end})
note("submitted")  -- nothing ran yet: no wait has returned
slow:wait()
print(table.concat(events, " | "))

-- map_async and starmap_async
events = {}
local m = p:map_async(function(x) return x * 2 end, {1, 2, 3}, {callback = function(r) note("map " .. T.show(r)) end})
m:wait()
local s = p:starmap_async(function(a, b) return a + b end, {{1, 2}}, {callback = function(r) note("starmap " .. T.show(r)) end})
s:get()
print(table.concat(events, " | "))

-- error_callback gets the error get() raises; callback is not called
events = {}
local e = p:apply_async(function() error("boom") end, {},
  {callback = function() note("wrong callback") end, error_callback = function(err) note("error " .. T.head(err, 1)) end})
e:wait()
print(table.concat(events, " | "))
print(T.head(T.errorof(e.get, e), 1))

-- with errors = "collect" the callback receives the results and the failures
events = {}
local c = p:map_async(function(x) if x == 2 then error("two") end return x end, {1, 2, 3},
  {errors = "collect", callback = function(r, f) note("collected " .. T.show(r) .. " failures " .. #f) end})
c:wait()
print(table.concat(events, " | "))

-- a callback may submit more work; a dropped AsyncResult still calls back
events = {}
p:apply_async(function() return 5 end, {}, {callback = function(v) note("then " .. p:apply(function(x) return x + 1 end, {v})) end})
collectgarbage()
p:apply(function() T.spin(0.1) end)
print(table.concat(events, " | "))

-- an error in a callback is raised from the call that ran it
local bad = p:apply_async(function() return 1 end, {}, {callback = function() error("in the callback") end})
print(T.head(T.errorof(bad.wait, bad), 1))
-- and runs only once
print(T.errorof(p.apply, function() return "next call fine" end))

-- a call that raises still runs the callbacks that are due; its own error wins
events = {}
p:apply_async(function() return "due" end, {}, {callback = function(v) note("ran " .. v) end})
print(T.head(T.errorof(p.map, function() error("the call's error") end, {1}), 1))
print(table.concat(events, " | "))

-- bad callbacks
print(T.errorof(p.apply_async, print, {}, {callback = 3}))
print(T.errorof(p.map_async, print, {}, {error_callback = "x"}))
print(T.errorof(p.apply, print, {}, {callback = print}))
print(T.errorof(p.imap, print, {}, {callback = print}))
