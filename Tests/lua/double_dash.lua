print(select("#", ...), ...)
print(arg[-1], arg[0])
