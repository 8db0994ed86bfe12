import CSystem
import Glibc

/// The host's side of one child started by `Process:start()`: a forked
/// copy of the host that runs one function and exits, as the `Popen` of
/// CPython's `multiprocessing/popen_fork.py`.
///
/// Every started child is remembered until it is reaped, so that the host
/// never leaves one behind: at exit, daemon children are sent SIGTERM and
/// every child is waited for (as Python's `multiprocessing` does at
/// interpreter exit).
public final class ForkedProcess {
    public let pid: pid_t
    public let daemon: Bool
    /// How the child ended, once it was reaped.
    public private(set) var exit: WorkerExit?

    private init(pid: pid_t, daemon: Bool) {
        (self.pid, self.daemon) = (pid, daemon)
    }

    /// Forks a child that runs `body` and exits with its result.
    ///
    /// The child follows the rules of ``Fork``, except that Ctrl-C ends it
    /// quietly (it dies of SIGINT): the host raises `interrupted` instead.
    ///
    /// - Throws: ``SystemError`` when `fork` fails.
    public static func start(_ lua: LuaState, daemon: Bool, body: @escaping () -> Int32) throws(SystemError) -> ForkedProcess {
        let pid = try Fork.spawn(lua, closing: [], interrupt: .dieOfIt, child: body)
        let started = ForkedProcess(pid: pid, daemon: daemon)
        track(started)
        return started
    }

    /// `exitcode` as Python gives it: the exit status, or minus the
    /// signal's number; nil while the child runs.
    public var exitCode: Int? {
        switch exit {
        case .exited(let code)?: return Int(code)
        case .signaled(let sig)?: return -Int(sig)
        case nil: return nil
        }
    }

    /// Reaps the child if it has ended; whether it has. Wraps
    /// `waitpid(WNOHANG)`.
    @discardableResult
    public func poll() -> Bool {
        if exit != nil { return true }
        var status: Int32 = 0
        while true {
            let got = waitpid(pid, &status, WNOHANG)
            if got == pid {
                finished(WorkerExit(status: status))
                return true
            }
            if got < 0 && errno == EINTR { continue }
            if got < 0 {
                // Not our child any more (reaped elsewhere): it has ended,
                // how is unknown.
                finished(.exited(255))
                return true
            }
            return false
        }
    }

    /// Sends `signal` to the child if it still runs. Wraps `kill`.
    public func send(_ signal: Int32) {
        guard !poll() else { return }
        kill(pid, signal)
    }

    /// Waits until the child ends or `timeout` seconds pass (nil: no
    /// limit); whether it ended. Ctrl-C stops the wait.
    ///
    /// - Throws: `.interrupted` on SIGINT (the child, in the same process
    ///   group, got it as well).
    public func wait(timeout: Double?) throws(WorkerPool.WaitError) -> Bool {
        if poll() { return true }
        // The host's one wait, which also serves the pools meanwhile,
        // woken by the child's pidfd; without pidfd (Linux < 5.3), every
        // few milliseconds instead.
        let pidfd = csystem_pidfd_open(pid)
        defer { if pidfd >= 0 { Glibc.close(pidfd) } }
        if pidfd >= 0 {
            return try WorkerPool.waitAll(timeout: timeout, watching: pidfd) { poll() }
        }
        let deadline = timeout.flatMap { $0 < 1e8 ? Spin.now() + Int64(max(0, $0) * 1e9) : nil }
        while true {
            let left = deadline.map { Double($0 - Spin.now()) / 1e9 } ?? 0.005
            if left <= 0 { return poll() }
            if try WorkerPool.waitAll(timeout: min(left, 0.005), until: { poll() }) { return true }
        }
    }

    private func finished(_ how: WorkerExit) {
        exit = how
        ForkedProcess.live.removeAll { $0 === self }
    }

    // MARK: Every started child, for the exit handler

    nonisolated(unsafe) private static var live: [ForkedProcess] = []

    private static func track(_ child: ForkedProcess) {
        live.append(child)
        ExitPath.install()
    }

    /// In a new child: its parent's children are not its own.
    static func forgetAll() {
        live.removeAll()
    }

    /// The children started and not yet seen to end, reaping the ended.
    public static func active() -> [ForkedProcess] {
        for child in live { child.poll() }
        return live
    }

    /// How long a daemon child has to leave after SIGTERM at exit before
    /// it is killed.
    static let daemonGraceSeconds = 1.0

    /// At exit: SIGTERM to daemon children, SIGKILL to those still there
    /// after ``daemonGraceSeconds``; then every child is waited for.
    static func endAll() {
        let children = live
        let daemons = children.filter { $0.daemon }
        for child in daemons { child.send(SIGTERM) }
        let deadline = Spin.now() + Int64(daemonGraceSeconds * 1e9)
        while daemons.contains(where: { !$0.poll() }), Spin.now() < deadline {
            usleep(1000)
        }
        for child in daemons { child.send(SIGKILL) }
        for child in children where child.exit == nil {
            if let how = reap(child.pid) { child.finished(how) } else { child.finished(.exited(255)) }
        }
        live.removeAll()
    }
}
