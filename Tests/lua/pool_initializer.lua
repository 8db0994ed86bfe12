-- initializer and initargs: run once in each worker before its tasks; a
-- global it sets is visible to the tasks.
local T = require "helpers.pooltest"
local mp = require "multiprocessing"

local function setup(prefix, suffix)
  worker_label = prefix .. mp.current_process().name .. suffix
  setup_runs = (setup_runs or 0) + 1
end
local p = mp.Pool{processes = 2, initializer = setup, initargs = {"<", ">"}}
local r = p:map(function() return worker_label end, {1, 2, 3, 4, 5, 6}, 1)
local ok = true
for i = 1, r.n do ok = ok and r[i] ~= nil and r[i]:match("^<PoolWorker%-%d+>$") ~= nil end
print("label set by the initializer", r.n, ok)
-- the label names the worker that runs the task
r = p:map(function() return worker_label == "<" .. mp.current_process().name .. ">" end, {1, 2, 3, 4}, 1)
print("own worker's label", T.show(r))
-- once per worker
r = p:map(function() return setup_runs end, {1, 2, 3, 4}, 1)
print("ran once", T.show(r))
-- not in the host
print("host", worker_label, setup_runs)
p:close()
p:join()

-- initargs keep nils and honour n
local function record(...)
  local args = table.pack(...)
  local shown = {}
  for i = 1, args.n do shown[i] = tostring(args[i]) end
  init_args = args.n .. ":" .. table.concat(shown, ",")
end
p = mp.Pool{processes = 1, initializer = record, initargs = {nil, 2, nil, n = 3}}
print("initargs n", p:apply(function() return init_args end))
p:terminate()
p = mp.Pool{processes = 1, initializer = record}
print("no initargs", p:apply(function() return init_args end))
p:terminate()
p = mp.Pool{processes = 1, initializer = record, initargs = {"a", {1, 2}}}
print("initargs table", p:apply(function() return init_args:gsub("table: 0x%x+", "table") end))
p:terminate()

-- replacement workers run the initializer too
p = mp.Pool{processes = 1, maxtasksperchild = 1, initializer = setup, initargs = {"[", "]"}}
r = p:map(function() return worker_label == "[" .. mp.current_process().name .. "]" end, {1, 2, 3}, 1)
print("replacements", T.show(r))
p:terminate()
