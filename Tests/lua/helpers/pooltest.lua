-- Helpers for the pool_*.lua cases: results and errors printed in a form
-- that does not depend on pids or on which worker ran an item, so that the
-- cases can compare standard output exactly.
local M = {}

-- A value as the cases print it: strings quoted, floats keep their ".0",
-- tables as {a, b; k=v} with keys sorted.
function M.repr(v)
  if type(v) == "string" then
    return string.format("%q", v)
  elseif type(v) ~= "table" then
    return tostring(v)
  end
  local parts, keys = {}, {}
  local n = #v
  for i = 1, n do parts[#parts + 1] = M.repr(v[i]) end
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local named = {}
  for _, k in ipairs(keys) do named[#named + 1] = tostring(k) .. "=" .. M.repr(v[k]) end
  if #named == 0 then return "{" .. table.concat(parts, ", ") .. "}" end
  if #parts == 0 then return "{" .. table.concat(named, ", ") .. "}" end
  return "{" .. table.concat(parts, ", ") .. "; " .. table.concat(named, ", ") .. "}"
end

-- A results table: its items 1..n (holes shown as nil), then n, then any
-- key that should not be there.
function M.show(t)
  if type(t) ~= "table" then return "not a table: " .. M.repr(t) end
  local parts = {}
  local n = t.n
  if math.type(n) ~= "integer" then return "no integer n: " .. M.repr(t) end
  for i = 1, n do parts[#parts + 1] = M.repr(t[i]) end
  local extra = {}
  for k in pairs(t) do
    if not (k == "n" or (math.type(k) == "integer" and k >= 1 and k <= n)) then
      extra[#extra + 1] = tostring(k)
    end
  end
  table.sort(extra)
  local text = "{" .. table.concat(parts, ", ") .. "} n=" .. n
  if #extra > 0 then text = text .. " extra keys: " .. table.concat(extra, " ") end
  return text
end

-- The error f(...) raises; "NO ERROR" followed by its results if it
-- raises none.
function M.errorof(f, ...)
  local results = table.pack(pcall(f, ...))
  if results[1] then
    local shown = {}
    for i = 2, results.n do shown[#shown + 1] = M.repr(results[i]) end
    return "NO ERROR: " .. table.concat(shown, ", ")
  end
  return results[2]
end

-- The message with every pid and every worker number replaced, so that it
-- can be printed and compared exactly.
function M.normalize(message)
  message = tostring(message)
  message = message:gsub("PoolWorker%-%d+", "PoolWorker-N")
  message = message:gsub("pid %d+", "pid P")
  return message
end

-- The first `count` lines of a message, normalized, each on its own line.
function M.head(message, count)
  local lines = {}
  for line in (tostring(message) .. "\n"):gmatch("(.-)\n") do
    if #lines == count then break end
    lines[#lines + 1] = M.normalize(line)
  end
  return table.concat(lines, "\n")
end

-- The lines of a message.
function M.lines(message)
  local lines = {}
  for line in (tostring(message) .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  return lines
end

-- Whether `text` contains `part` (plain text, no patterns).
function M.has(text, part)
  return type(text) == "string" and text:find(part, 1, true) ~= nil
end

-- Burns CPU for `seconds` of this process's CPU time: a task that takes a
-- while without starting a child process.
function M.spin(seconds)
  local stop = os.clock() + seconds
  while os.clock() < stop do end
end

-- Whether the process `pid` still exists and has not been reaped (a zombie
-- counts as existing: its parent has not waited for it).
function M.exists(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if f then f:close() return true end
  return false
end

-- The pid of this interpreter's process, from the shell it starts.
function M.hostpid()
  local f = assert(io.popen("echo $PPID"))
  local pid = f:read("n")
  f:close()
  return pid
end

-- The sorted distinct values of a list (1..n).
function M.distinct(t)
  local seen, list = {}, {}
  for i = 1, t.n or #t do
    local v = t[i]
    if v ~= nil and not seen[v] then seen[v] = true list[#list + 1] = v end
  end
  table.sort(list, function(a, b) return tostring(a) < tostring(b) end)
  return list
end

-- The number in a "PoolWorker-N" name.
function M.workernumber(name)
  return tonumber(tostring(name):match("^PoolWorker%-(%d+)$"))
end

-- Wall-clock seconds, from date(1): a script has no wall clock of its own
-- (os.clock is CPU time, os.time whole seconds).
function M.now()
  local f = assert(io.popen("date +%s.%N"))
  local t = f:read("n")
  f:close()
  return t
end

-- A side file that counts how often each task ran: `log(tag)` appends a
-- line (from any process), `counts()` reads them back as {tag = n}.
function M.runlog()
  local file = os.tmpname()
  local log = {}
  function log.add(tag)
    local f = assert(io.open(file, "a"))
    f:write(tostring(tag), "\n")
    f:close()
  end
  function log.counts()
    local counts = {}
    for line in io.lines(file) do counts[line] = (counts[line] or 0) + 1 end
    return counts
  end
  -- "a=1 b=2 ..." for the tags given, in that order (0 for a tag never run).
  function log.show(...)
    local counts, parts = log.counts(), {}
    for _, tag in ipairs{...} do parts[#parts + 1] = tostring(tag) .. "=" .. (counts[tostring(tag)] or 0) end
    return table.concat(parts, " ")
  end
  function log.reset()
    assert(io.open(file, "w")):close()
  end
  function log.remove() os.remove(file) end
  return log
end

return M
