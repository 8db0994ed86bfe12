"""The benchmarks of scripts/bench: what each runs, what it reports, and the
goal each figure is judged by. bench/lib/driver.py runs them.

A benchmark NAME runs bench/NAME.lua under luapool and one or more twins
(by default bench/NAME.py under Python), alternating, and reports rows: a
metric's median on luapool's side against the same metric on a twin.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)


def fmt(x, kind):
    """A metric's value for the table: kind is "time" (seconds), "kib" or
    "factor" (a speed-up, higher is better)."""
    if x is None:
        return "-"
    if kind == "kib":
        return "%.0f KiB" % x if x < 1024 else "%.2f MiB" % (x / 1024)
    if kind == "factor":
        return "%.2fx" % x
    if kind == "ns":
        return "%.1f ns" % x
    if x < 1e-3:
        return "%.1f us" % (x * 1e6)
    if x < 1:
        return "%.2f ms" % (x * 1e3)
    return "%.3f s" % x


def advantage(lua, twin, kind):
    """How many times better luapool's figure is than the twin's: twin/luapool
    for a cost (time, memory), luapool/twin for a speed-up."""
    if not lua or not twin:
        return None
    return lua / twin if kind == "factor" else twin / lua


class Goal:
    """A goal on one row; `ours` marks a goal no issue set."""

    def __init__(self, words, ours=False):
        self.words, self.ours = words, ours

    def text(self):
        return ("(ours) " if self.ours else "") + self.words

    def met(self, lua, twin, kind):
        raise NotImplementedError


class NoGoal(Goal):
    def __init__(self):
        super().__init__("—")

    def met(self, lua, twin, kind):
        return None


class Better(Goal):
    """luapool at least `factor` times better than the twin (see advantage)."""

    def __init__(self, factor, words, ours=False):
        super().__init__(words, ours)
        self.factor = factor

    def met(self, lua, twin, kind):
        got = advantage(lua, twin, kind)
        return None if got is None else got >= self.factor


class AtMost(Goal):
    """luapool's median at most a bound."""

    def __init__(self, bound, kind):
        super().__init__("<= " + fmt(bound, kind))
        self.bound = bound

    def met(self, lua, twin, kind):
        return lua <= self.bound


class AtMostFactor(Goal):
    """luapool's figure, a ratio, at most a bound."""

    def __init__(self, bound):
        super().__init__("<= %.2fx" % bound)
        self.bound = bound

    def met(self, lua, twin, kind):
        return lua <= self.bound


class AtLeast(Goal):
    """luapool's median at least a bound (a speed-up)."""

    def __init__(self, bound, words):
        super().__init__(words)
        self.bound = bound

    def met(self, lua, twin, kind):
        return lua >= self.bound


class Row:
    """One line of the table: `metric` on luapool against the same metric on
    the side labelled `twin` (None: luapool's figure alone, judged by its
    goal)."""

    def __init__(self, label, metric, kind, goal, twin="Python"):
        self.label, self.metric, self.kind = label, metric, kind
        self.goal, self.twin = goal, twin


class Side:
    """One program of a benchmark. `argv(args, name)` gives its command line;
    a script side gets the argument `quick` under --quick."""

    def __init__(self, label, argv, script=True, quiet=False):
        self.label, self.argv, self.script, self.quiet = label, argv, script, quiet

    def command(self, args, name):
        quick = ["quick"] if args.quick and self.script else []
        return self.argv(args, name) + quick


def script(*parts):
    return os.path.join("bench", *parts)


LUAPOOL = Side("luapool", lambda a, n: [a.luapool, script(n + ".lua")])
PYTHON = Side("Python", lambda a, n: [a.python, script(n + ".py")])
CJSON = Side("cjson", lambda a, n: [a.luapool, script(n + "_cjson.lua")])
BARE_LUA = Side("`lua5.4 -e ''`", lambda a, n: [a.lua, "-e", ""], script=False)
BARE_LUAPOOL = Side("`luapool -e ''`", lambda a, n: [a.luapool, "-e", ""], script=False)
# The same script under mpirun (3 ranks: the script, and two ranks with a
# worker each), as root if need be, on this one machine.
MPIRUN = Side("luapool",
              lambda a, n: ["env", "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
                            "OMPI_MCA_btl_vader_single_copy_mechanism=none",
                            "mpirun", "--oversubscribe", "-n", "3", a.luapool, script(n + ".lua")])
LOCAL_POOL = Side("local pool", lambda a, n: [a.luapool, script(n + ".lua")])

# For a benchmark whose standard error would only clutter the run's own.
LUAPOOL_QUIET = Side("luapool", lambda a, n: [a.luapool, script(n + ".lua")], quiet=True)
SERIAL = Side("`lua5.4` loop", lambda a, n: [a.lua, script(n + "_serial.lua")])


class Bench:
    """`runs` counted runs per side after one warm-up run (`quick_runs` under
    --quick). `whole`: the driver also times each whole process, as the
    metric "process". `per_run`: metrics taken within each run, name ->
    (numerator, denominator), the mean of one metric's samples over the
    mean of another's, so that a drift of the machine's speed between runs
    does not count."""

    def __init__(self, rows, runs=5, quick_runs=5, sides=(LUAPOOL, PYTHON),
                 whole=False, per_run=None):
        self.rows, self.runs, self.quick_runs = rows, runs, quick_runs
        self.sides, self.whole, self.per_run = sides, whole, per_run or {}


BENCHMARKS = {
    "tiny": Bench([Row("`tiny`", "map", "time", Better(4, "<= 1/4 of Python's time")),
                   Row("`tiny`", "map", "time", Better(1, "not slower than the serial loop"),
                       twin=SERIAL.label)],
                  sides=(LUAPOOL, PYTHON, SERIAL)),
    "tiny_chunk1": Bench([Row("`tiny_chunk1`", "map", "time",
                              Better(20, ">= 20x Python's throughput"))]),
    "apply_rtt": Bench([Row("`apply_rtt`", "apply", "time", AtMost(20e-6, "time"))]),
    "cpu": Bench([Row("`cpu`, speed-up over its own serial run", "speedup", "factor",
                      AtLeast(1.9, ">= 1.90x (luapool)"))],
                 per_run={"speedup": ("serial", "parallel"),
                          "ceiling": ("serial", "processes")}),
    "big_value": Bench([Row("`big_value`", "apply", "time", Better(3, ">= 3x Python"))]),
    "records": Bench([Row("`records`", "map", "time", Better(1.5, ">= 1.5x Python"))]),
    "startup": Bench([Row("`startup`, in process", "startup", "time", AtMost(3e-3, "time")),
                      Row("`startup`, whole process", "process", "time", NoGoal()),
                      Row("`startup`, whole process", "process", "time", NoGoal(),
                          twin=BARE_LUA.label)],
                     runs=20, quick_runs=10, sides=(LUAPOOL, PYTHON, BARE_LUA, BARE_LUAPOOL), whole=True),
    "startup_spawn": Bench([Row("`startup_spawn`, in process", "startup", "time",
                                Better(1, "not slower than Python's spawn", ours=True)),
                            Row("`startup_spawn`, whole process", "process", "time", NoGoal())],
                           runs=10, quick_runs=5, whole=True),
    "codec": Bench([Row("`codec`, floats", "floats", "time",
                        Better(10, ">= 10x cjson"), twin="cjson"),
                    Row("`codec`, records", "records", "time",
                        Better(5, ">= 5x cjson"), twin="cjson")],
                   sides=(LUAPOOL, CJSON)),
    "memory": Bench([Row("`memory`", "private_kib", "kib", AtMost(2048, "kib"))]),
    "mpi": Bench([Row("`mpi`, `tiny` map under mpirun -n 3", "tiny", "time",
                      Better(1 / 3, "within 3x of the local pool's time"), twin="local pool"),
                  Row("`mpi`, `cpu` tasks under mpirun -n 3", "cpu", "time",
                      Better(1 / 1.1, "within 10% of the local pool's time"), twin="local pool")],
                 runs=5, quick_runs=3, sides=(MPIRUN, LOCAL_POOL)),
    "progress": Bench([Row("`progress`: the `tiny` map with progress = \"log\" against without",
                           "overhead", "factor", AtMostFactor(1.05), twin=None)],
                      runs=5, quick_runs=3, sides=(LUAPOOL_QUIET,),
                      per_run={"overhead": ("with", "without")}),
    "cliffs": Bench([Row("`cliffs`, sizes 1 MiB to 256 MiB: worst / best marginal cost per byte",
                         "size_marginal_spread", "factor", AtMostFactor(1.3), twin=None),
                     Row("`cliffs`, 17 MiB against 16 MiB: cost per byte", "size_17MiB_against_16MiB",
                         "factor", AtMostFactor(1.3), twin=None),
                     Row("`cliffs`, chunk sizes 256 to 100,000: worst step between neighbours",
                         "chunk_worst_step", "factor", AtMostFactor(1.15), twin=None),
                     Row("`cliffs`, 10^4 to 10^7 items: worst / best cost per item", "count_spread",
                         "factor", AtMostFactor(1.3), twin=None)],
                    runs=1, quick_runs=1, sides=(LUAPOOL,)),
}
