# Pool(2).map(square, xs) over 1..1,000,000, default chunks.
# Twin of tiny.lua; same steps: pool and list first (not timed), one
# warm-up map, then 3 timed maps.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def square(x):
    return x * x


def main():
    n = 100000 if timing.quick() else 1000000
    xs = list(range(1, n + 1))
    with multiprocessing.get_context("fork").Pool(2) as p:
        def run():
            ys = p.map(square, xs)
            assert len(ys) == n and ys[0] == 1 and ys[-1] == n * n

        run()
        for _ in range(3):
            timing.start("map")
            run()
            timing.stop("map")


if __name__ == "__main__":
    main()
