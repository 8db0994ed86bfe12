-- Codec speed, in process: mp.loads(mp.dumps(t)) of an array of 1,000,000
-- floats and of one of 100,000 records. Twin: codec_cjson.lua, the same
-- with lua-cjson's decode(encode(t)), also run by luapool (the same Lua
-- VM). Goals: at least 10x cjson's speed on the floats, 5x on the records.
-- The work and its timing are in lib/codec_work.lua.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local mp = require "multiprocessing"

require "codec_work"(mp.dumps, mp.loads)
