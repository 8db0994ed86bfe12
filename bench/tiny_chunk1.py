# Pool(2).map(f, xs, chunksize=1) over 100,000 items: one item per chunk.
# Twin of tiny_chunk1.lua; same steps: one warm-up map of a tenth of the
# items, then 3 timed maps.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def inc(x):
    return x + 1


def main():
    n = 20000 if timing.quick() else 100000
    xs = list(range(1, n + 1))
    with multiprocessing.get_context("fork").Pool(2) as p:
        p.map(inc, xs[: n // 10], chunksize=1)
        for _ in range(3):
            timing.start("map")
            ys = p.map(inc, xs, chunksize=1)
            timing.stop("map")
            assert len(ys) == n and ys[-1] == n + 1


if __name__ == "__main__":
    main()
