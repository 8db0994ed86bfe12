local lpeg = require "lpeg"
local digits = lpeg.C(lpeg.R("09") ^ 1)
local list = lpeg.Ct(digits * ("," * digits) ^ 0)
local t = list:match("10,20,30")
print(#t, t[1], t[3])
print(lpeg.match(lpeg.P("a") ^ 1, "aaab"))
