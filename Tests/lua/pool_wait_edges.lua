-- Waiting, at its edges: ready() polled in a loop reads the answers (it
-- never sleeps, yet it sees the result); an imap over a pool made for the
-- loop alone keeps that pool alive through collections; a finalizer that
-- drops a pool during a wait does not tear the wait.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local p = mp.Pool(2)
local r = p:apply_async(function() return "done" end)
local polls = 0
while not r:ready() and polls < 200 do
  polls = polls + 1
  os.execute("sleep 0.01")
end
print("ready() saw the result", r:ready(), r:get())
print("wait(0) and get(0)", p:apply_async(function() return 1 end):wait(0) ~= nil)

-- a pool made for one loop: collections inside the loop do not end it
local sum = 0
for _, v in mp.Pool(2):imap(function(x) return x * 2 end, {1, 2, 3, 4, 5, 6, 7, 8}) do
  collectgarbage()
  sum = sum + v
end
print("imap over a pool made for it", sum)

-- a pool that becomes garbage while another waits: let go afterwards
do
  local q = mp.Pool(1)
  q:map(function(x) return x end, {1})
  setmetatable({}, {__gc = function() q = nil collectgarbage() end})
end
local xs = {}
for i = 1, 5000 do xs[i] = i end
print("a map while a pool is dropped", T.show(p:map(function(x) return {x} end, xs, 50)):sub(1, 20))
p:terminate()
