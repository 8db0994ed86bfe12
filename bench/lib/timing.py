"""Timing for the Python twins of the pool benchmarks (bench/*.py).

Speaks the line protocol of bench/lib/timing.lua, but a Python twin has a
monotonic clock, so it times itself with time.perf_counter and prints

    sample NAME SECONDS COUNT      one sample of SECONDS / COUNT

With BENCH_TIMING=marks in the environment it prints `start`/`stop` marks
instead, as the Lua side does, so the two ways of timing can be compared
(bench/lib/driver.py --check-marks).
"""

import os
import sys
import time

MARKS = os.environ.get("BENCH_TIMING") == "marks"

_started = {}


def _line(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def start(name):
    """Marks the start of the stretch `name`."""
    if MARKS:
        _line("start " + name)
    else:
        _started[name] = time.perf_counter()


def stop(name, count=1):
    """Ends the stretch; the sample is its time divided by `count`."""
    if MARKS:
        _line("stop %s %d" % (name, count))
    else:
        elapsed = time.perf_counter() - _started.pop(name)
        _line("sample %s %.9f %d" % (name, elapsed, count))


def value(name, number):
    """Reports a number that is not a time."""
    _line("value %s %s" % (name, number))


def info(text):
    """A line for the reader (scripts/bench --verbose)."""
    _line("info " + text)


def quick():
    """True when the script was started with the argument `quick`."""
    return sys.argv[1:2] == ["quick"]


def smaps(pid):
    """Private_Clean + Private_Dirty, Pss and Rss of /proc/PID/smaps_rollup, in KiB."""
    fields = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return {
        "private": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
        "pss": fields.get("Pss", 0),
        "rss": fields.get("Rss", 0),
    }
