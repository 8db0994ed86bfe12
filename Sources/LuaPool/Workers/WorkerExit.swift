import Glibc

/// How a worker process ended, from `waitpid`'s status.
public enum WorkerExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public init(status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// `exited with status 3`, `killed by signal 9 (SIGKILL)`
    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let sig): return "killed by signal \(sig) (\(WorkerExit.signalName(sig)))"
        }
    }

    /// `SIGKILL`, `SIGSEGV`... (`SIG<n>` for others).
    public static func signalName(_ sig: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
            SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
            SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU",
            SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[sig] ?? "SIG\(sig)"
    }
}

/// Waits for `pid` to end and returns how; retries EINTR. Wraps `waitpid`.
public func reap(_ pid: pid_t) -> WorkerExit? {
    var status: Int32 = 0
    while true {
        let got = waitpid(pid, &status, 0)
        if got == pid { return WorkerExit(status: status) }
        if got < 0 && errno == EINTR { continue }
        return nil
    }
}
