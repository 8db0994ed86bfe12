import CLua
import CSystem
import Glibc

/// Forks a child process that runs Swift code in a copy of the host,
/// the way every pool worker and every `Process` is started.
///
/// The rules (DESIGN.md section 2): flush C stdio before the fork, so
/// buffered output is not printed twice; in the child, close the
/// descriptors that belong to the host, read stdin from /dev/null, make
/// stdout line-buffered, die with the host (`PR_SET_PDEATHSIG`), give
/// Ctrl-C to the host, reseed `math.random`, and leave with `_exit`: the
/// child never returns into the host's stack.
public enum Fork {
    /// What the child does with SIGINT.
    public enum Interrupt {
        /// Ignore it: the host owns Ctrl-C (pool workers).
        case ignore
        /// Die of it (a `Process` child stopped by Ctrl-C).
        case dieOfIt
    }

    /// Descriptors that belong to the host alone (its ends of every
    /// worker's socket): every child closes them all, so a worker's EOF
    /// never waits on a sibling holding a copy.
    nonisolated(unsafe) public static var hostDescriptors: Set<Int32> = []

    /// Forks. In the child, runs `child` and exits with its result; in the
    /// host, returns the child's pid.
    ///
    /// - Parameters:
    ///   - lua: the interpreter the child inherits; its `math.random` is
    ///     reseeded in the child unless `reseed` is false (a child that
    ///     never touches it).
    ///   - closing: descriptors the child must not keep (the host's ends of
    ///     sockets, other workers' sockets).
    ///   - interrupt: what the child does with SIGINT.
    ///   - child: the child's work; returns the exit status.
    /// - Throws: ``SystemError`` when `fork` fails (the host goes on).
    public static func spawn(
        _ lua: LuaState, closing: [FileDescriptor], interrupt: Interrupt, reseed: Bool = true,
        child: () -> Int32
    ) throws(SystemError) -> pid_t {
        fflush(nil)
        let host = getpid()
        // SIGINT waits while the child is made: until it has its own
        // disposition, a Ctrl-C would run the host's handler in it, which
        // writes to the host's pipe (PoolInterrupt, PromptInterrupt).
        var interruptOnly = sigset_t(), previousMask = sigset_t()
        sigemptyset(&interruptOnly)
        sigaddset(&interruptOnly, SIGINT)
        pthread_sigmask(SIG_BLOCK, &interruptOnly, &previousMask)
        let pid = fork()
        if pid != 0 {
            let failure = errno
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
            if pid < 0 { throw SystemError("fork", errno: failure) }
            return pid
        }
        setUpChild(lua, host: host, closing: closing, interrupt: interrupt)
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        if reseed { reseedRandom(lua) }
        let status = child()
        fflush(nil)
        _exit(status)
    }

    private static func setUpChild(
        _ lua: LuaState, host: pid_t, closing: [FileDescriptor], interrupt: Interrupt
    ) {
        // Die with the host; if it is already gone, go now.
        _ = csystem_set_parent_death_signal(SIGKILL)
        if getppid() != host { _exit(1) }
        for fd in closing { fd.close() }
        for raw in hostDescriptors where !closing.contains(FileDescriptor(raw)) {
            FileDescriptor(raw).close()
        }
        // What the host owned is not this process's: its workers, its
        // children, its Ctrl-C pipe.
        hostDescriptors.removeAll()
        PoolInterrupt.pipe = nil
        WorkerPool.forgetAll()
        ForkedProcess.forgetAll()
        MPIHost.forgetAll()
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 {
            dup2(null, 0)
            if null != 0 { Glibc.close(null) }
        }
        setvbuf(stdout, nil, _IOLBF, Int(BUFSIZ))
        signal(SIGINT, interrupt == .ignore ? SIG_IGN : SIG_DFL)
        // A crash must be a real death by that signal, seen by the host's
        // waitpid, whatever handlers the runtime installed.
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTERM, SIGPIPE] {
            signal(sig, SIG_DFL)
        }
    }

    /// `math.randomseed(a, b)` with two numbers from the OS: forked states
    /// would otherwise draw identical sequences.
    static func reseedRandom(_ lua: LuaState) {
        var seed: (Int64, Int64) = (0, 0)
        let got = withUnsafeMutableBytes(of: &seed) { getrandom($0.baseAddress, $0.count, 0) }
        if got != MemoryLayout.size(ofValue: seed) {
            seed = (Int64(getpid()), Int64(truncatingIfNeeded: time(nil)) ^ Int64(clock()))
        }
        Random.seed(lua, seed.0, seed.1)
    }
}

/// `math.randomseed`, called from Swift.
public enum Random {
    /// Runs `math.randomseed(a, b)` in `lua` (nothing when `math` is not
    /// loaded).
    public static func seed(_ lua: LuaState, _ a: Int64, _ b: Int64) {
        let base = lua.top
        defer { lua.top = base }
        guard lua.getGlobal("math") == .table,
              lua.getField("randomseed", of: -1) == .function else { return }
        lua.push(a)
        lua.push(b)
        try? lua.call(arguments: 2, results: 0)
    }
}
