# One pool.apply(id, (xs,)) round trip of a list of 1,000,000 floats on
# Pool(2). Twin of big_value.lua; same steps: one warm-up call, then 5 timed.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def ident(x):
    return x


def main():
    n = 100000 if timing.quick() else 1000000
    xs = [i * 0.1 + 1 / 3 for i in range(1, n + 1)]
    with multiprocessing.get_context("fork").Pool(2) as p:
        for i in range(6):
            if i > 0:
                timing.start("apply")
            ys = p.apply(ident, (xs,))
            if i > 0:
                timing.stop("apply")
            assert len(ys) == n and ys[-1] == xs[-1]


if __name__ == "__main__":
    main()
