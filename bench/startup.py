# A whole script that makes Pool(2), maps 2 items and closes it. Twin of
# startup.lua; the same steps, the pool's part timed in process as there.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def ident(x):
    return x


def main(context="fork"):
    timing.start("startup")
    p = multiprocessing.get_context(context).Pool(2)
    r = p.map(ident, [1, 2])
    p.close()
    p.join()
    timing.stop("startup")
    assert r == [1, 2]


if __name__ == "__main__":
    main()
