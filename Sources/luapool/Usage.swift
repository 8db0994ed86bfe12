import Glibc
import LuaPool

/// The program's name in messages: `argv[0]` as typed, as lua.c's
/// `progname` (set by main).
nonisolated(unsafe) var programName = "luapool"

/// The usage, printed after a bad command line (as lua.c prints it).
var usageText: String { """
    usage: \(programName) [options] [script [args]]
    Available options are:
      -e stat        execute string 'stat'
      -i             enter interactive mode after executing 'script'
      -l mod         require library 'mod' into global 'mod'
      -l g=mod       require library 'mod' into global 'g'
      -v             show version information
      -E             ignore environment variables
      -W             turn warnings on
      -j N           size of the default pool 'pool' (also --workers N;
                     default: env LUAPOOL_WORKERS, else the usable CPUs)
      --seed N       seed of the default pool's tasks (default: env
                     LUAPOOL_SEED, else none: each worker seeds itself)
      --mpi          run under MPI even when the launcher's variables are
                     not seen (mpirun and srun are seen without it)
      --progress     draw the progress of every mapping call on stderr (a
                     bar on a terminal; --progress=log: a line every 5 s)
      -h, --help     show this help and exit
      --             stop handling options
      -              stop handling options and execute stdin

    """
}

/// What `--help` prints: the usage, then the environment variables read.
var helpText: String { usageText + """
    Environment:
      LUA_INIT_5_4, LUA_INIT  code to run first, or @file to run a file
      LUA_PATH_5_4, LUA_PATH, LUA_CPATH_5_4, LUA_CPATH
                     package.path, package.cpath (';;': the default)
      LUAPOOL_WORKERS  size of the default pool when -j is not given
      LUAPOOL_SEED   seed of the default pool when --seed is not given
      LUAPOOL_PROGRESS  1: --progress; log: --progress=log; 0: off
      LUAPOOL_MPI_DEBUG  under MPI, trace the relays' messages on stderr
      LUAPOOL_HISTORY  the REPL's history file (default ~/.luapool_history;
                     empty: no history)
      LUAPOOL_FRAME_LIMIT  (testing) the largest message between the
                     script and a worker, in bytes

    """
}

/// Writes to standard output through C stdio, the stream Lua's `print` uses.
func writeOut(_ text: String) {
    fputs(text, stdout)
}

/// Writes to standard error and flushes, as lua.c's `lua_writestringerror`.
func writeError(_ text: String) {
    fputs(text, stderr)
    fflush(stderr)
}

/// `luapool: message` on standard error (no prefix when `name` is nil, as
/// in the REPL).
func reportMessage(_ message: String, name: String? = programName) {
    if let name { writeError(name + ": ") }
    writeError(message + "\n")
}

func printVersion() {
    writeOut(LuaPoolVersion.banner + "\n")
    fflush(stdout)
}
