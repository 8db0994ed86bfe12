-- Not run: the -j value is refused.
print("not reached")
