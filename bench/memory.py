# Private memory of an idle Pool(2) worker: Private_Clean + Private_Dirty
# from /proc/PID/smaps_rollup, read in the parent after the workers ran one
# small map and went idle. Twin of memory.lua.
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import timing


def pid(_):
    return os.getpid()


def main():
    with multiprocessing.get_context("fork").Pool(2) as p:
        pids = []
        for _ in range(20):
            for w in p.map(pid, range(16), chunksize=1):
                if w not in pids:
                    pids.append(w)
            if len(pids) >= 2:
                break
        for w in pids:
            m = timing.smaps(w)
            timing.value("private_kib", m["private"])
            timing.value("pss_kib", m["pss"])
            timing.value("rss_kib", m["rss"])
        host = timing.smaps(os.getpid())
        timing.info("host: private %d KiB, pss %d KiB, rss %d KiB"
                    % (host["private"], host["pss"], host["rss"]))


if __name__ == "__main__":
    main()
