# Synchronous pool.apply(id, (x,)) round trips on Pool(2). Twin of
# apply_rtt.lua; same steps and the same statistic: 200 warm-up calls, then
# 2,000 timed calls in batches of 50, one sample per batch (mean time of a
# call in it).
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def ident(x):
    return x


def main():
    calls, batch = 2000, 50
    with multiprocessing.get_context("fork").Pool(2) as p:
        for i in range(200):
            assert p.apply(ident, (i,)) == i
        for b in range(calls // batch):
            timing.start("apply")
            for i in range(batch):
                p.apply(ident, (i,))
            timing.stop("apply", batch)
            assert p.apply(ident, (b,)) == b


if __name__ == "__main__":
    main()
