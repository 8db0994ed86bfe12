# One synchronous pool.apply(f, (x,)) round trip on Pool(2), many times.
# Twin of apply_roundtrip.lua; same steps and the same statistic: 2,000
# warm-up calls, then 20,000 timed calls in batches of 100, one sample per
# batch (mean time of a call in it).
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def inc(x):
    return x + 1


def main():
    quick = timing.quick()
    batches = 50 if quick else 200
    batch = 100
    with multiprocessing.get_context("fork").Pool(2) as p:
        for i in range(500 if quick else 2000):
            assert p.apply(inc, (i,)) == i + 1
        for b in range(batches):
            timing.start("apply")
            for i in range(batch):
                p.apply(inc, (i,))
            timing.stop("apply", batch)
            assert p.apply(inc, (b,)) == b + 1


if __name__ == "__main__":
    main()
