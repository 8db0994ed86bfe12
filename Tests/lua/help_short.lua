-- Not run: -h prints the usage and exits.
print("not reached")
