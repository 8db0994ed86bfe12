# 8 CPU-bound tasks (sum of i * i for i = 1..50,000,000) on Pool(2), against
# the same 8 calls one after the other: Python's speed-up over its own
# serial run, next to cpu.lua's. Same order as there, less the plain
# processes: pool, serial, pool. Python's integers do not wrap, so its sums
# grow past 64 bits.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def work(m):
    s = 0
    for i in range(1, m + 1):
        s += i * i
    return s


def main():
    n = 2000000 if timing.quick() else 50000000
    tasks = [n] * 8
    with multiprocessing.get_context("fork").Pool(2) as p:
        p.map(work, [1, 2], chunksize=1)

        def parallel():
            timing.start("parallel")
            got = p.map(work, tasks, chunksize=1)
            timing.stop("parallel")
            return got

        got = parallel()
        timing.start("serial")
        want = [work(m) for m in tasks]
        timing.stop("serial")
        parallel()
    assert got == want == [n * (n + 1) * (2 * n + 1) // 6] * 8


if __name__ == "__main__":
    main()
