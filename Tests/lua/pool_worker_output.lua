-- What a task prints reaches stdout once, before the host's later output.
io.write("host first\n")
io.stdout:flush()
pool.apply(function() print("from a worker") io.write("write in a worker\n") end)
io.write("host after\n")
