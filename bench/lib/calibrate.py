"""Times busy stretches of known length both ways at once, for
bench/lib/driver.py --check-marks: `start`/`stop` marks timestamped by the
driver, and `sample` lines timed here with time.perf_counter."""

import sys
import time


def line(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


for length in (1e-4, 1e-3, 3e-3):
    name = "%gms" % (length * 1e3)
    for _ in range(200):
        t = time.perf_counter()
        line("start marks_" + name)
        while time.perf_counter() - t < length:
            pass
        line("stop marks_%s 1" % name)
        line("sample self_%s %.9f 1" % (name, time.perf_counter() - t))
