warn("hi")
print("no warning without -W")
