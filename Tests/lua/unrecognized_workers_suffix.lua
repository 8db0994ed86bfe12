-- Not run: the option is refused.
print("not reached")
