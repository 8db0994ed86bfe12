import Glibc

/// What the host does with its children when it exits, by any way (the
/// end of the script, an error, `os.exit`): one path, run once from
/// `atexit`. Pools go first, gracefully (their workers flush and leave),
/// then `Process` children (daemons are stopped, the others waited for).
public enum ExitPath {
    nonisolated(unsafe) private static var installed = false

    /// Makes sure ``run()`` runs at exit; called when the first child is
    /// started.
    static func install() {
        guard !installed else { return }
        installed = true
        atexit { ExitPath.run() }
    }

    /// Ends every pool worker, then every `Process` child, of this
    /// process. What the host printed goes out first.
    public static func run() {
        fflush(nil)
        WorkerPool.endAll()
        ForkedProcess.endAll()
    }
}
