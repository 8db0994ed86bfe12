-- checkpoint = "path": finished results are appended to the file; the
-- same call again (same function, same inputs, same seed and call number)
-- skips them, runs only the rest and returns the full results. A file for
-- another call is refused, naming what differs; a torn last record is
-- ignored; failed items (collect) run again. A side file counts the runs.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local path = os.tmpname()
os.remove(path)
local log = T.runlog()
local list = {}
for i = 1, 20 do list[i] = i end
local function square(x) log.add(x) return x * x end
local function runs()
  local total = 0
  for _, n in pairs(log.counts()) do total = total + n end
  return total
end
local function sum(r) local s = 0 for i = 1, r.n do s = s + (r[i] or 0) end return s end

local p <close> = mp.Pool(2)
-- first run: everything runs
local r = p:map(square, list, {checkpoint = path, chunksize = 3})
print("first", r.n, sum(r), "runs", runs())
-- second run: nothing runs, the results are the same
log.reset()
r = p:map(square, list, {checkpoint = path, chunksize = 3})
print("second", r.n, sum(r), "runs", runs())
-- the same function written elsewhere (another line, another name) is the same call
log.reset()
local function again(x) log.add(x) return x * x end
print("same code", sum(p:map(again, list, {checkpoint = path})), "runs", runs())

-- a torn last record (a crash mid-write): it is cut off and its items run again
local f = assert(io.open(path, "rb"))
local bytes = f:read("a")
f:close()
f = assert(io.open(path, "wb"))
f:write(bytes:sub(1, -5))
f:close()
log.reset()
r = p:map(square, list, {checkpoint = path, chunksize = 3})
print("torn", sum(r), "runs the last record's items again:", runs() >= 2 and runs() <= 3)

-- another function, other inputs: refused, naming what differs
local function refusal(...)
  return (T.head(T.errorof(p.map, ...), 1):gsub("'[^']*'", "'PATH'", 1))
end
print(refusal(function(x) return x + 1 end, list, {checkpoint = path}))
print(refusal(square, {1, 2, 3}, {checkpoint = path}))
local other = {}
for i = 1, 20 do other[i] = i end
other[20] = 21
print(refusal(square, other, {checkpoint = path}))
print(refusal(function(x) return x end, {1}, {checkpoint = path}))

-- a seeded pool keys the seed and the call's number
local seeded = os.tmpname()
os.remove(seeded)
local s1 <close> = mp.Pool{processes = 1, seed = 5}
s1:map(square, list, {checkpoint = seeded})
local s2 <close> = mp.Pool{processes = 1, seed = 6}
print((T.head(T.errorof(s2.map, square, list, {checkpoint = seeded}), 1):gsub("'[^']*'", "'PATH'", 1)))
local s3 <close> = mp.Pool{processes = 1, seed = 5}
s3:map(square, {1})  -- call 1 of this pool
print((T.head(T.errorof(s3.map, square, list, {checkpoint = seeded}), 1):gsub("'[^']*'", "'PATH'", 1)))
local s4 <close> = mp.Pool{processes = 1, seed = 5}
log.reset()
print("seeded again", sum(s4:map(square, list, {checkpoint = seeded})), "runs", runs())

-- not a checkpoint: refused, the file is left alone
local text = os.tmpname()
f = assert(io.open(text, "w"))
f:write("my notes\n")
f:close()
print((T.head(T.errorof(p.map, square, list, {checkpoint = text}), 1):gsub("'[^']*'", "'PATH'", 1)))
print(io.open(text):read("a") == "my notes\n")

-- collect: failed items are not kept, and run again on resume
local collected = os.tmpname()
os.remove(collected)
local marker = os.tmpname()
local function flaky(x)
  log.add(x)
  if x % 5 == 0 and io.open(marker) then error("flaky " .. x) end
  return x
end
log.reset()
local _, failures = p:map(flaky, list, {checkpoint = collected, errors = "collect", chunksize = 4})
print("collect", #failures, "runs", runs())
os.remove(marker)
log.reset()
r, failures = p:map(flaky, list, {checkpoint = collected, errors = "collect", chunksize = 4})
print("resumed", sum(r), #failures, "runs", runs(), log.show(5, 10, 15, 20, 1))

-- imap: the kept items come first (unordered) or in order (imap)
log.reset()
local order = {}
for i, v in p:imap(square, list, {checkpoint = path}) do order[#order + 1] = i end
print("imap", #order, order[1], order[20], "runs", runs())

-- a call that failed lets its file go at once: the next call may use it
local failing = os.tmpname()
os.remove(failing)
-- (a global is not part of the key: the same call, fixed)
FAIL_FIRST = true
local function first_fails(x) if x == 1 and FAIL_FIRST then error("first fails") end T.spin(0.3) return x end
print(T.head(T.errorof(p.map, first_fails, {1, 2, 3}, {checkpoint = failing, chunksize = 1}), 1))
FAIL_FIRST = false
print("retry", sum(p:map(first_fails, {1, 2, 3}, {checkpoint = failing, chunksize = 1})))
os.remove(failing)

-- one call at a time per file
local busy = p:map_async(function(x) T.spin(0.2) return x end, {1, 2}, {checkpoint = collected .. "2"})
print((T.head(T.errorof(p.map, square, list, {checkpoint = collected .. "2"}), 1):gsub("'[^']*'", "'PATH'", 1)))
busy:get()
for _, file in ipairs{path, seeded, text, collected, collected .. "2"} do os.remove(file) end
log.remove()
