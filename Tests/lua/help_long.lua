-- Not run: --help prints the usage and exits.
print("not reached")
