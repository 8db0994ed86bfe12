# Pool(2).map(f, records) over 100,000 records {id, name, score} (dicts),
# default chunks; f returns a new dict for each. Twin of records.lua; same
# steps: one warm-up map, then 3 timed maps.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def rescore(r):
    return {"id": r["id"], "name": r["name"], "score": r["score"] * 2}


def main():
    n = 20000 if timing.quick() else 100000
    records = [{"id": i, "name": "n%d" % i, "score": i * 0.5} for i in range(1, n + 1)]
    with multiprocessing.get_context("fork").Pool(2) as p:
        for i in range(4):
            if i > 0:
                timing.start("map")
            out = p.map(rescore, records)
            if i > 0:
                timing.stop("map")
            assert len(out) == n and out[-1]["score"] == n and out[-1]["name"] == "n%d" % n


if __name__ == "__main__":
    main()
