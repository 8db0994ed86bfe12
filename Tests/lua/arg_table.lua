local first = 0
while arg[first - 1] ~= nil do first = first - 1 end
for i = first, #arg do
  print(i, string.format("%q", arg[i]))
end
print("#arg", #arg)
