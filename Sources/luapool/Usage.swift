import Glibc
import LuaPool

let programName = "luapool"

let usageText = """
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
      -h, --help     show this help and exit
      --             stop handling options
      -              stop handling options and execute stdin

    """

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
