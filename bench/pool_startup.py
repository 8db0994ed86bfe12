# Start-up of a pool: Pool(2), a first map of 2 items, close, join.
# Twin of pool_startup.lua; same steps: one pool not timed, then 20 timed.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def ident(x):
    return x


def main():
    ctx = multiprocessing.get_context("fork")
    samples = 10 if timing.quick() else 20
    for i in range(samples + 1):
        if i > 0:
            timing.start("startup")
        p = ctx.Pool(2)
        r = p.map(ident, [1, 2])
        p.close()
        p.join()
        if i > 0:
            timing.stop("startup")
        assert r == [1, 2]


if __name__ == "__main__":
    main()
