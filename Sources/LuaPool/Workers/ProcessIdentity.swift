import Glibc

/// Who this process is, for `current_process()` and `parent_process()`.
public struct ProcessIdentity {
    public let name: String
    /// A pool worker: it may not start pools or processes of its own.
    public let isWorker: Bool
    /// The process that forked this one; nil in the host.
    public let parent: (name: String, pid: pid_t)?
    /// Where a `Process` child sits in the tree of processes: empty in the
    /// host, [1] in Process-1, [1, 2] in the second child Process-1 started
    /// (named `Process-1:2`, as Python names it).
    public let path: [Int]
    /// How many `Process` objects this process created: the next name.
    public var processesCreated = 0

    nonisolated(unsafe) public static var current = ProcessIdentity(
        name: "MainProcess", isWorker: false, parent: nil, path: [])

    /// The identity of a child this process is about to fork (called in
    /// this process, before the fork).
    public func child(named name: String, isWorker: Bool, path: [Int] = []) -> ProcessIdentity {
        ProcessIdentity(name: name, isWorker: isWorker, parent: (self.name, getpid()), path: path)
    }

    /// Counts a new `Process` object; returns its path and name
    /// (`Process-3`, `Process-1:2`).
    public mutating func nextProcess() -> (path: [Int], name: String) {
        processesCreated += 1
        let path = self.path + [processesCreated]
        return (path, "Process-" + path.map(String.init).joined(separator: ":"))
    }
}
