print("count", select("#", ...), #arg, arg[0])
