"""Runs the pool benchmarks side by side with their Python twins.

    python3 bench/lib/driver.py --luapool BIN [--python PY] [--quick]
                                [--runs N] [--verbose] [NAME...]
    python3 bench/lib/driver.py --check-marks [--python PY] [NAME...]

scripts/bench builds luapool and calls this. For each benchmark it runs
bench/NAME.lua under luapool and bench/NAME.py under Python, alternating
(luapool, Python, luapool, Python, ...) so that noise on the machine falls
on both alike, then prints a Markdown table of medians and goals.

The programs talk the line protocol described in bench/lib/timing.lua:
`start`/`stop` marks, which this driver timestamps with time.perf_counter as
the lines arrive (the Lua side has no wall clock), and `sample` lines that
a program timed itself (the Python side). --check-marks first times busy
stretches of known length both ways at once (bench/lib/calibrate.py), then
runs each Python twin both ways, alternating, to show how far the two ways
of timing agree.
"""

import argparse
import os
import platform
import resource
import select
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)

RUN_TIMEOUT_S = 900
UNRESOLVED = "unresolved"  # names of stretches whose marks came in one read


class Faster:
    """luapool's median at most 1/factor of Python's."""

    def __init__(self, factor, words):
        self.factor, self.words = factor, words

    def text(self):
        return self.words

    def check(self, lua, py, _lua_all):
        if py is None:
            return None, "no Python result"
        got = py / lua
        return got >= self.factor, "%.1fx" % got


class AtMost:
    """luapool's median at most a bound."""

    def __init__(self, bound, kind):
        self.bound, self.kind = bound, kind

    def text(self):
        return "<= " + fmt(self.bound, self.kind)

    def check(self, lua, _py, _lua_all):
        over = lua / self.bound
        if over <= 1:
            return True, fmt(lua, self.kind)
        return False, "%s, %.2fx the bound" % (fmt(lua, self.kind), over)


class Speedup:
    """luapool's `base` time over its headline time, at least `factor`.
    Taken within each run (the sum of its `base` samples over the sum of
    its headline samples), then the median over the runs, so that a drift
    in the machine's speed between runs does not count."""

    RATIOS = "speedup"
    CEILING = "ceiling"

    def __init__(self, metric, base, factor, reference=None):
        self.metric, self.base, self.factor = metric, base, factor
        self.reference = reference

    def text(self):
        return ">= %.1fx faster than serial luapool" % self.factor

    def per_run(self, samples, metric=None):
        metric = metric or self.metric
        if samples.get(self.base) and samples.get(metric):
            return [sum(samples[self.base]) / sum(samples[metric])]
        return []

    def check(self, _lua, _py, lua_all):
        ratios = lua_all.get(self.RATIOS)
        if not ratios:
            return None, "no %s result" % self.base
        got = statistics.median(ratios)
        detail = "%.2fx" % got
        ceiling = lua_all.get(self.CEILING)
        if ceiling:
            detail += "; plain processes %.2fx" % statistics.median(ceiling)
        return got >= self.factor, detail


# name -> (headline metric, its kind, runs per side, goal)
BENCHMARKS = {
    "map_squares": ("map", "time", 5, Faster(3, "<= 1/3 of Python's time")),
    "map_chunksize1": ("map", "time", 5, Faster(10, ">= 10x Python's throughput")),
    "apply_roundtrip": ("apply", "time", 5, AtMost(20e-6, "time")),
    "cpu_speedup": ("parallel", "time", 3, Speedup("parallel", "serial", 1.9, reference="processes")),
    "pool_startup": ("startup", "time", 5, AtMost(3e-3, "time")),
    "idle_memory": ("private_kib", "kib", 3, AtMost(2048, "kib")),
}


def fmt(x, kind):
    if x is None:
        return "-"
    if kind == "kib":
        return "%.0f KiB" % x if x < 1024 else "%.2f MiB" % (x / 1024)
    if x < 1e-3:
        return "%.1f us" % (x * 1e6)
    if x < 1:
        return "%.2f ms" % (x * 1e3)
    return "%.3f s" % x


class Load:
    """CPU time that processes other than the benchmarks' used while they
    ran, from /proc/stat less this process and its children, as a share of
    every CPU over the elapsed time: the noise a run had to share with."""

    def __init__(self):
        self.start = self.sample()

    @staticmethod
    def sample():
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
        busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
        ours = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            r = resource.getrusage(who)
            ours += r.ru_utime + r.ru_stime
        return time.monotonic(), busy, ours

    def other(self):
        (t0, busy0, ours0), (t1, busy1, ours1) = self.start, self.sample()
        cpus = len(os.sched_getaffinity(0))
        return max(0.0, (busy1 - busy0) - (ours1 - ours0)) / ((t1 - t0) * cpus)


class RunError(Exception):
    pass


def run(cmd, env=None):
    """Runs one benchmark program; returns {metric: [samples]} and info lines."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, env=env)
    fd = proc.stdout.fileno()
    samples, info, started = {}, [], {}
    pending, reads = b"", 0
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            proc.wait()
            raise RunError("timed out after %d s" % RUN_TIMEOUT_S)
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        now = time.perf_counter()
        if not chunk:
            break
        reads += 1
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            parse(raw.decode("utf-8", "replace"), (now, reads), samples, info, started)
    status = proc.wait()
    if status != 0:
        raise RunError("exit status %d" % status)
    return samples, info


def parse(line, when, samples, info, started):
    """Reads one line; `when` is (arrival time, number of the read)."""
    word, _, rest = line.partition(" ")
    parts = rest.split()
    if word == "start" and len(parts) == 1:
        started[parts[0]] = when
    elif word == "stop" and len(parts) == 2:
        name, count = parts[0], int(parts[1])
        (t0, read0), (t1, read1) = started.pop(name), when
        if read0 == read1:
            # Both marks came in one read: the stretch was shorter than
            # the driver's wake-up, so its time is unknown, not zero.
            samples.setdefault(UNRESOLVED, []).append(name)
        samples.setdefault(name, []).append((t1 - t0) / count)
    elif word == "sample" and len(parts) == 3:
        samples.setdefault(parts[0], []).append(float(parts[1]) / int(parts[2]))
    elif word == "value" and len(parts) == 2:
        samples.setdefault(parts[0], []).append(float(parts[1]))
    elif word == "info":
        info.append(rest)
    elif line:
        info.append(line)


def merge(into, samples):
    for name, xs in samples.items():
        into.setdefault(name, []).extend(xs)


def median(all_samples, name):
    xs = all_samples.get(name)
    return statistics.median(xs) if xs else None


def say(text):
    print(text, file=sys.stderr, flush=True)


def bench_one(name, args):
    metric, kind, runs, goal = BENCHMARKS[name]
    runs = args.runs or (min(runs, 3) if args.quick else runs)
    extra = ["quick"] if args.quick else []
    sides = [
        ("luapool", [args.luapool, os.path.join("bench", name + ".lua")] + extra),
        ("python", [args.python, os.path.join("bench", name + ".py")] + extra),
    ]
    load = Load()
    results = {"luapool": {}, "python": {}}
    unresolved = {"luapool": {}, "python": {}}
    errors = {}
    for r in range(1, runs + 1):
        for side, cmd in sides:
            if side in errors:
                continue
            try:
                samples, info = run(cmd)
            except (RunError, OSError) as e:
                errors[side] = str(e)
                say("%s: %s run %d failed: %s" % (name, side, r, e))
                continue
            for stretch in samples.pop(UNRESOLVED, []):
                unresolved[side][stretch] = unresolved[side].get(stretch, 0) + 1
            if isinstance(goal, Speedup) and goal.per_run(samples):
                samples[Speedup.RATIOS] = goal.per_run(samples)
                if goal.reference and goal.per_run(samples, goal.reference):
                    samples[Speedup.CEILING] = goal.per_run(samples, goal.reference)
            merge(results[side], samples)
            got = statistics.median(samples[metric]) if samples.get(metric) else None
            say("%s: run %d/%d %s %s" % (name, r, runs, side, fmt(got, kind)))
            if args.verbose:
                for line in info:
                    say("    " + line)
    doubts = ["%d %s %s sample(s) too short to time" % (count, side, stretch)
              for side, counts in unresolved.items() for stretch, count in counts.items()]
    results["other_load"] = load.other()
    say("%s: other processes used %.0f%% of the CPUs meanwhile" % (name, results["other_load"] * 100))
    return results, errors, doubts


def row(name, results, errors, doubts):
    metric, kind, _, goal = BENCHMARKS[name]
    lua = median(results["luapool"], metric)
    py = median(results["python"], metric)
    lua_text = fmt(lua, kind) if lua is not None else "failed (%s)" % errors.get("luapool", "no samples")
    py_text = fmt(py, kind) if py is not None else "failed (%s)" % errors.get("python", "no samples")
    if isinstance(goal, Speedup) and lua is not None:
        lua_text += " (serial %s)" % fmt(median(results["luapool"], goal.base), kind)
    ratio = "%.1fx" % (py / lua) if lua and py else "-"
    if lua is None:
        verdict = "-"
    elif doubts:
        verdict = "? (%s)" % "; ".join(doubts)
    else:
        ok, detail = goal.check(lua, py, results["luapool"])
        verdict = ("PASS" if ok else "MISS" if ok is not None else "?") + " (%s)" % detail
    return "| %s | %s | %s | %s | %s | %s |" % (name, lua_text, py_text, ratio, goal.text(), verdict)


def details(name, results):
    _, kind, _, _ = BENCHMARKS[name]
    lines = ["  %s: other processes used %.0f%% of the CPUs meanwhile"
             % (name, results["other_load"] * 100)]
    for side in ("luapool", "python"):
        for metric, xs in sorted(results[side].items()):
            if metric in (Speedup.RATIOS, Speedup.CEILING):
                what = "pool" if metric == Speedup.RATIOS else "plain processes"
                lines.append("  %s %s serial / %s, per run: %s" % (
                    name, side, what, " ".join("%.2fx" % x for x in xs)))
                continue
            lines.append("  %s %s %s: median %s, min %s, max %s, %d samples" % (
                name, side, metric, fmt(statistics.median(xs), kind),
                fmt(min(xs), kind), fmt(max(xs), kind), len(xs)))
    return lines


def wake_promptly():
    """Asks for a real-time priority, so that the driver reads a mark as soon
    as it arrives even when the benchmark keeps every CPU busy (a pool's
    workers spin briefly while they wait). Programs started from here get
    the normal policy back (SCHED_RESET_ON_FORK). Needs CAP_SYS_NICE;
    returns False without it."""
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(10))
        return True
    except (AttributeError, OSError):
        return False


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def python_version(python):
    out = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                         capture_output=True, text=True)
    return out.stdout.strip()


def check_marks(args, names):
    """Times each Python twin by marks and by itself, alternating."""
    samples, _ = run([args.python, os.path.join(HERE, "calibrate.py")])
    print("| busy stretch | self-timed median | marks median | difference |")
    print("|---|---|---|---|")
    for length in ("0.1ms", "1ms", "3ms"):
        a, b = median(samples, "self_" + length), median(samples, "marks_" + length)
        print("| %s | %s | %s | %+.1f us |" % (length, fmt(a, "time"), fmt(b, "time"), (b - a) * 1e6))
    print()
    env = dict(os.environ, BENCH_TIMING="marks")
    print("| benchmark | metric | self-timed median | marks median | difference |")
    print("|---|---|---|---|---|")
    for name in names:
        metric, kind, runs, _ = BENCHMARKS[name]
        if kind != "time":
            continue
        runs = args.runs or (min(runs, 3) if args.quick else runs)
        cmd = [args.python, os.path.join("bench", name + ".py")] + (["quick"] if args.quick else [])
        own, marks = {}, {}
        for r in range(runs):
            # Alternate which way goes first, so that order does not count.
            ways = [(own, None), (marks, env)]
            for into, how in ways if r % 2 == 0 else ways[::-1]:
                merge(into, run(cmd, how)[0])
            say("%s: run %d/%d" % (name, r + 1, runs))
        a, b = median(own, metric), median(marks, metric)
        print("| %s | %s | %s | %s | %+.1f us (%+.2f%%) |" % (
            name, metric, fmt(a, kind), fmt(b, kind), (b - a) * 1e6, (b - a) / a * 100))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--luapool", help="the luapool binary")
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, at most 3 runs each")
    ap.add_argument("--runs", type=int, help="runs per side (default: per benchmark)")
    ap.add_argument("--verbose", action="store_true", help="show the programs' info lines")
    ap.add_argument("--check-marks", action="store_true",
                    help="compare marks with self-timing on the Python twins")
    ap.add_argument("names", nargs="*", metavar="NAME")
    args = ap.parse_args()

    names = args.names or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            ap.error("unknown benchmark %r (known: %s)" % (name, ", ".join(BENCHMARKS)))
    if args.check_marks:
        wake_promptly()
        check_marks(args, names)
        return 0
    if not args.luapool:
        ap.error("--luapool is required")

    prompt = wake_promptly()
    if not prompt:
        say("bench: no real-time priority for the driver (needs CAP_SYS_NICE); marks may"
            " be read late while a benchmark keeps every CPU busy")
    rows, notes, failed = [], [], False
    for name in names:
        results, errors, doubts = bench_one(name, args)
        failed = failed or bool(errors) or bool(doubts)
        rows.append(row(name, results, errors, doubts))
        notes.extend(details(name, results))

    print("Pool benchmarks%s, %s, luapool against Python %s (multiprocessing, fork)" % (
        " (--quick)" if args.quick else "", time.strftime("%Y-%m-%d"), python_version(args.python)))
    print("Machine: %s CPUs (nproc), %s" % (len(os.sched_getaffinity(0)), cpu_model()))
    print("Marks read by a driver with %s priority" % ("real-time" if prompt else "normal"))
    print()
    print("| benchmark | luapool median | Python median | ratio (Python / luapool) | goal | result |")
    print("|---|---|---|---|---|---|")
    for line in rows:
        print(line)
    print()
    print("All metrics (median, min, max over every sample of every run):")
    for line in notes:
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
