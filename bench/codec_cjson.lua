-- The twin of codec.lua: lua-cjson's cjson.decode(cjson.encode(t)) of the
-- same tables, timed the same way (lib/codec_work.lua). A Lua twin, not a
-- Python one: the codec's goals are set against cjson.
package.path = (arg[0]:match("^(.*)/") or ".") .. "/lib/?.lua;" .. package.path
local cjson = require "cjson"

require "codec_work"(cjson.encode, cjson.decode)
