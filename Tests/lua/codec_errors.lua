-- What mp.dumps refuses and what mp.loads calls bad data, word for word.
local mp = require "multiprocessing"

local function check(expected, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "no error, expected: " .. expected)
  assert(err == expected, "got: " .. tostring(err) .. "\nexpected: " .. expected)
end

check("cannot send userdata (FILE*)", mp.dumps, io.stdout)
check("cannot send userdata (FILE*) at [2].log", mp.dumps, {1, {log = io.stderr}})
check("cannot send thread", mp.dumps, coroutine.create(print))
check("cannot send thread at .co", mp.dumps, {co = coroutine.running()})
check("cannot send C function with upvalues (not found in package.loaded)", mp.dumps, string.gmatch("", ""))
check("cannot send userdata (FILE*) at <key>", mp.dumps, {[io.stdin] = true})
check("cannot send userdata (FILE*) at <metatable>.__index", mp.dumps, setmetatable({}, {__index = io.stdin}))
local log = io.stderr
check("cannot send userdata (FILE*) at <upvalue 'log'>", mp.dumps, function() return log end)

local nest = {}
local cur = nest
for _ = 2, 1001 do cur[1] = {} cur = cur[1] end
check("cannot send value nested deeper than 1000 levels", mp.dumps, nest)

check("bad data: empty string", mp.loads, "")
check("bad data: unsupported format version 2 (expected 1)", mp.loads, "\2")
check("bad data: truncated at byte 8", mp.loads, mp.dumps(12345):sub(1, -2))
check("bad data: bytes after the last value at byte 9", mp.loads, mp.dumps(1) .. "!")
check("cannot load function: functions are refused (pass {functions = true} to load them from a trusted source)", mp.loads, mp.dumps(function() end), {functions = false})
check("cannot load function: functions are refused (pass {functions = true} to load them from a trusted source)", mp.loads, mp.dumps(function() end))

-- a bit flipped in a function's bytecode
local s = mp.dumps(function() return 1 end)
check("bad data: function checksum mismatch at byte 7", mp.loads, s:sub(1, 40) .. string.char(s:byte(41) ~ 4) .. s:sub(42),
      {functions = true})

-- argument errors and positions, as lauxlib words them
local ok, err = pcall(function() return mp.loads() end)
assert(err:find("codec_errors.lua:%d+: bad argument #1 to 'loads' %(string expected, got no value%)"), err)
ok, err = pcall(function() return mp.loads("", {function_s = false}) end)
assert(err:find("bad argument #2 to 'loads' %(unknown option 'function_s'%)"), err)
ok, err = pcall(function() return mp.dumps({io.stdout}) end)
assert(err:find("^.*codec_errors.lua:%d+: cannot send userdata %(FILE%*%) at %[1%]$"), err)

print("ok")
