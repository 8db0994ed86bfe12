# startup.py with Python's "spawn" context: each worker is a new
# interpreter that imports this module. Twin of startup_spawn.lua.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def ident(x):
    return x


def main():
    timing.start("startup")
    p = multiprocessing.get_context("spawn").Pool(2)
    r = p.map(ident, [1, 2])
    p.close()
    p.join()
    timing.stop("startup")
    assert r == [1, 2]


if __name__ == "__main__":
    main()
