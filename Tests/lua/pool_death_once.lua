-- A worker that finished task A and then died in task B: A's result
-- arrives, only B fails, and nothing runs twice (a side file counts the
-- runs). Inside a chunk, the death fails the item it was running; items
-- after it never run.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local log = T.runlog()
local function killself()
  os.execute("kill -9 " .. mp.current_process().pid)
  T.spin(5)  -- not reached
end

-- two async calls on one worker: A quick, B kills its worker
local p = mp.Pool(1)
local a = p:apply_async(function() log.add("A") return "A done" end)
local b = p:apply_async(function() log.add("B") killself() end)
print("A", a:get())
print("B", T.head(T.errorof(b.get, b), 1))
print(log.show("A", "B"))

-- apply, one after the other: the pool goes on, each task runs once
log.reset()
print(p:apply(function() log.add("C") return "C done" end))
print((T.head(T.errorof(p.apply, function() log.add("D") killself() end), 1):gsub("^[^:]*:%d+: ", "")))
print(p:apply(function() log.add("E") return "E done" end))
print(log.show("C", "D", "E"))

-- imap over many quick items, one per chunk (the host sends many ahead):
-- every item before the death is given, the error names the item that
-- was running, the items after it never run, nothing runs twice
log.reset()
local list = {}
for i = 1, 200 do list[i] = i end
local given = 0
local err = T.errorof(function()
  for i, v in p:imap(function(x) log.add(x) if x == 150 then killself() end return x end, list) do
    if v == i then given = given + 1 end
  end
end)
print("imap gave", given)
print((T.head(err, 1):gsub("^[^:]*:%d+: ", "")))
local function runs()
  local once, twice = 0, 0
  for _, n in pairs(log.counts()) do
    if n == 1 then once = once + 1 else twice = twice + 1 end
  end
  return "once " .. once .. ", more than once " .. twice
end
print(runs(), log.show(149, 150, 151))

-- map with chunks of 4: item 6 kills its worker; the call fails naming
-- it, items 7 and 8 of its chunk never run, and nothing runs twice
log.reset()
err = T.errorof(p.map, function(x) log.add(x) if x == 6 then killself() end return x end, {1, 2, 3, 4, 5, 6, 7, 8}, 4)
print(T.head(err, 1))
print(log.show(1, 2, 3, 4, 5, 6, 7, 8))

-- many quick async calls on two workers, one of them fatal: every other
-- one gives its result, and each ran once
log.reset()
local q = mp.Pool(2)
local results = {}
for i = 1, 100 do
  results[i] = q:apply_async(function(x) log.add(x) if x == 60 then killself() end return x * 2 end, {i})
end
local ok, failed = 0, {}
for i = 1, 100 do
  local good, v = pcall(results[i].get, results[i])
  if good and v == i * 2 then ok = ok + 1 elseif not good then failed[#failed + 1] = i end
end
print("async results", ok, "failed", table.concat(failed, " "))
print(runs())
p:terminate()
q:terminate()
log.remove()
