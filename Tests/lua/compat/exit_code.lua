-- os.exit with a status, after output on both streams.
print("to stdout")
io.stderr:write("to stderr\n")
os.exit(7)
