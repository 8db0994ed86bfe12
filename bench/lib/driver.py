"""Runs the benchmarks side by side with their twins.

    python3 bench/lib/driver.py --luapool BIN [--python PY] [--lua LUA]
                                [--quick] [--runs N] [--verbose] [NAME...]
    python3 bench/lib/driver.py --check-marks [--python PY] [NAME...]

scripts/bench builds luapool and calls this. For each benchmark (listed in
bench/lib/suite.py) it runs bench/NAME.lua under luapool and its twins, one
warm-up run of each that is not counted, then the counted runs, alternating
(luapool, twin, luapool, twin, ...) so that noise on the machine falls on
all alike, and prints a Markdown table of medians, ratios and goals, ready
to paste into BENCHMARKS.md.

The programs talk the line protocol described in bench/lib/timing.lua:
`start`/`stop` marks, which this driver timestamps with time.perf_counter as
the lines arrive (the Lua side has no wall clock), and `sample` lines that
a program timed itself. --check-marks first times busy stretches of known
length both ways at once (bench/lib/calibrate.py), then runs each Python
twin both ways, alternating, to show how far the two ways of timing agree.
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

from suite import BENCHMARKS, PYTHON, advantage, fmt

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

RUN_TIMEOUT_S = 900
UNRESOLVED = "unresolved"  # names of stretches whose marks came in one read
PROCESS = "process"  # the whole-process time of a run, for Bench.whole


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


def run(cmd, env=None, quiet=False):
    """Runs one benchmark program; returns {metric: [samples]} and info
    lines. The sample PROCESS is the time from before the program is
    started to after it was reaped. `quiet`: its stderr goes to
    /dev/null."""
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, env=env,
                            stderr=subprocess.DEVNULL if quiet else None)
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
    ended = time.perf_counter()
    proc.stdout.close()
    if status != 0:
        raise RunError("exit status %d" % status)
    samples[PROCESS] = [ended - began]
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


def runs_of(bench, args):
    return args.runs or (bench.quick_runs if args.quick else bench.runs)


def per_run(bench, samples):
    """Adds the benchmark's per-run metrics to one run's samples."""
    for name, (num, den) in bench.per_run.items():
        if samples.get(num) and samples.get(den):
            samples[name] = [statistics.mean(samples[num]) / statistics.mean(samples[den])]


def bench_one(name, args):
    """Runs one benchmark: a warm-up run of each side, then the counted runs."""
    bench = BENCHMARKS[name]
    runs = runs_of(bench, args)
    load = Load()
    results = {side.label: {} for side in bench.sides}
    unresolved = {side.label: {} for side in bench.sides}
    errors = {}
    for r in range(0, runs + 1):
        for side in bench.sides:
            if side.label in errors:
                continue
            try:
                samples, info = run(side.command(args, name), quiet=side.quiet)
            except (RunError, OSError) as e:
                errors[side.label] = str(e)
                say("%s: %s run %d failed: %s" % (name, side.label, r, e))
                continue
            if not bench.whole:
                del samples[PROCESS]
            if r == 0:
                say("%s: warm-up run %s done" % (name, side.label))
                continue
            for stretch in samples.pop(UNRESOLVED, []):
                unresolved[side.label][stretch] = unresolved[side.label].get(stretch, 0) + 1
            per_run(bench, samples)
            merge(results[side.label], samples)
            shown = ", ".join("%s %s" % (row.metric, fmt(median(samples, row.metric), row.kind))
                              for row in bench.rows if samples.get(row.metric))
            say("%s: run %d/%d %s: %s" % (name, r, runs, side.label, shown))
            if args.verbose:
                for line in info:
                    say("    " + line)
    doubts = ["%d %s %s sample(s) too short to time" % (count, side, stretch)
              for side, counts in unresolved.items() for stretch, count in counts.items()]
    other = load.other()
    say("%s: other processes used %.0f%% of the CPUs meanwhile" % (name, other * 100))
    return results, errors, doubts, other


def cell(results, errors, side, row):
    x = median(results.get(side, {}), row.metric)
    if x is not None:
        return x, fmt(x, row.kind)
    return None, "failed (%s)" % errors.get(side, "no samples")


def rows_of(name, results, errors, doubts):
    """The benchmark's lines of the table."""
    lines = []
    for row in BENCHMARKS[name].rows:
        lua, lua_text = cell(results, errors, "luapool", row)
        twin, twin_text = (None, "—") if row.twin is None else cell(results, errors, row.twin, row)
        got = advantage(lua, twin, row.kind)
        ratio = "-" if got is None else "%.2fx" % got if got < 1 else "%.1fx" % got
        ok = None if lua is None else row.goal.met(lua, twin, row.kind)
        verdict = {True: "PASS", False: "MISS", None: "—"}[ok]
        if doubts and ok is not None:
            verdict += "? (%s)" % "; ".join(doubts)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            row.label, lua_text, row.twin or "—", twin_text, ratio, row.goal.text(), verdict))
    return lines


def details(name, results, other):
    kinds = {row.metric: row.kind for row in BENCHMARKS[name].rows}
    lines = ["- `%s`: other processes used %.0f%% of the CPUs meanwhile" % (name, other * 100)]
    for side, metrics in results.items():
        for metric, xs in sorted(metrics.items()):
            kind = kinds.get(metric) or ("factor" if metric in BENCHMARKS[name].per_run
                                         else "kib" if metric.endswith("_kib")
                                         else "ns" if "_ns_per_" in metric
                                         else "factor" if metric.endswith(("_spread", "_step", "_against_16MiB"))
                                         else "time")
            lines.append("  - %s %s: median %s, min %s, max %s, %d samples" % (
                side, metric, fmt(statistics.median(xs), kind),
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


def output(cmd):
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return ""
    return (done.stdout or done.stderr).strip()


def commit():
    head = output(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    # Documentation does not change what is measured.
    dirty = output(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!*.md"])
    return head + (" with uncommitted changes" if dirty else "")


def heading(args, prompt, loads):
    """The lines above the table: when, what, where."""
    python = output([args.python, "-c", "import sys; print(sys.version.split()[0])"])
    lua = output([args.lua, "-v"]).split("  ")[0]
    command = "scripts/bench" + (" --quick" if args.quick else "") + (
        " --runs %d" % args.runs if args.runs else "") + "".join(" " + n for n in args.names)
    return [
        "- Run: %s, commit %s, `%s`." % (time.strftime("%Y-%m-%d"), commit(), command),
        "- Machine: %d CPUs (`nproc`), %s; Linux %s." % (
            len(os.sched_getaffinity(0)), cpu_model(), platform.release()),
        "- Against: Python %s (`multiprocessing`, fork), %s, lua-cjson." % (python, lua),
        "- Sizes: %s." % ("smaller (--quick), for a smoke test; goals are judged on the full"
                          " sizes only" if args.quick else "full"),
        "- Marks read by a driver with %s priority; other processes used at most %.0f%% of"
        " the CPUs during a benchmark." % ("real-time" if prompt else "normal", max(loads) * 100),
    ]


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
        bench = BENCHMARKS[name]
        rows = [row for row in bench.rows if row.kind == "time" and row.metric != PROCESS]
        if PYTHON not in bench.sides or not rows:
            continue
        cmd = PYTHON.command(args, name)
        own, marks = {}, {}
        for r in range(runs_of(bench, args)):
            # Alternate which way goes first, so that order does not count.
            ways = [(own, None), (marks, env)]
            for into, how in ways if r % 2 == 0 else ways[::-1]:
                merge(into, run(cmd, how)[0])
            say("%s: run %d/%d" % (name, r + 1, runs_of(bench, args)))
        for row in rows:
            a, b = median(own, row.metric), median(marks, row.metric)
            print("| %s | %s | %s | %s | %+.1f us (%+.2f%%) |" % (
                name, row.metric, fmt(a, "time"), fmt(b, "time"), (b - a) * 1e6, (b - a) / a * 100))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--luapool", help="the luapool binary")
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--lua", default="lua5.4", help="the plain Lua interpreter (startup's baseline)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for use while developing")
    ap.add_argument("--runs", type=int, help="counted runs per side (default: per benchmark)")
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
    began = time.monotonic()
    rows, notes, loads, failed = [], [], [], False
    for name in names:
        results, errors, doubts, other = bench_one(name, args)
        failed = failed or bool(errors) or bool(doubts)
        rows.extend(rows_of(name, results, errors, doubts))
        notes.extend(details(name, results, other))
        loads.append(other)

    for line in heading(args, prompt, loads):
        print(line)
    print()
    print("| benchmark | luapool median | twin | twin median | ratio | goal | result |")
    print("|---|---|---|---|---|---|---|")
    for line in rows:
        print(line)
    print()
    print("Every metric (median, min, max over every sample of every counted run):")
    print()
    for line in notes:
        print(line)
    say("bench: took %.0f s" % (time.monotonic() - began))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
