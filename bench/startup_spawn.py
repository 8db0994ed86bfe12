# startup.py with Python's "spawn" context: each worker is a new
# interpreter that imports the module of the function it runs. Twin of
# startup_spawn.lua.
import startup

if __name__ == "__main__":
    startup.main("spawn")
