import CLua
import Glibc
import LuaPool

// A standard descriptor closed at start (`luapool s.lua >&-`) would be
// taken by the first file or socket opened, and the script's output would
// go into it: /dev/null takes its place.
for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
    _ = open("/dev/null", O_RDWR)
}

// Under MPI (`mpirun -n N luapool ...`, or `--mpi`), this process becomes
// its rank's relay and forks the process that goes on here: on rank 0 the
// script host, on the other ranks a fork server that never returns.
let launchOptions = try? Options.parse(CommandLine.arguments)
_ = MPILaunch.start(forced: launchOptions?.mpi ?? false, workersPerRank: launchOptions?.workers)

guard let lua = LuaState() else {
    reportMessage("cannot create state: not enough memory")
    exit(EXIT_FAILURE)
}
if let name = CommandLine.arguments.first, !name.isEmpty { programName = name }
LuaAllocator.install(in: lua)
clua_gc(lua.L, LUA_GCSTOP)  // restarted once the libraries are open
let status = Interpreter(lua: lua, argv: CommandLine.arguments).main()
// The one way out, as lua.c leaves (and as os.exit(code, true) does):
// the pools' workers flush and leave, Processes end, then the state is
// closed, so finalizers run.
ExitPath.run()
lua.close()
fflush(stdout)
exit(status)
