print(select("#", ...), ...)
