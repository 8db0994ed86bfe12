-- progress: on a pipe a bar draws nothing; "log" writes plain lines (one
-- at the start, at most one every 5 s, one at the end) wherever stderr
-- goes. The bar itself, on a terminal: TerminalProgressTests.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"
local p <close> = mp.Pool(2)
local list = {}
for i = 1, 10 do list[i] = i end
print(T.show(p:map(function(x) return x end, list, {progress = true})))
io.stdout:flush()
print(T.show(p:map(function(x) return x end, list, {progress = "log"})))
io.stdout:flush()
for i, v in p:imap(function(x) return x end, {1, 2, 3}, {progress = "log"}) do io.write(i, " ") end
print()
io.stdout:flush()
-- a pool's default
local q <close> = mp.Pool{processes = 1, progress = "log"}
print(T.show(q:map(function(x) return x end, {1, 2})))
