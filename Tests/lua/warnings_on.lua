warn("hi")
warn("several ", "parts")
print("stdout is untouched")
