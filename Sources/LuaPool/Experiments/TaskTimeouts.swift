import Glibc

extension WorkerPool {
    /// How long past a task's time limit its worker may run on before the
    /// host kills it: the worker's own hook raises the timeout first, for
    /// Lua code; this is for a task stuck in C, or one that caught the
    /// error.
    static let timeoutGraceNanos: Int64 = 1_000_000_000

    /// Kills the worker in `slot` if its task ran past its time limit and
    /// the grace after it (the item is remembered: its worker's death is
    /// then a timeout). The worker publishes the deadline of the task it
    /// runs, from its own call's limit, and none while the task waits for
    /// this process to answer a pull. Returns the nanoseconds until the
    /// check is due again, nil when there is nothing to watch.
    func enforceTimeout(_ slot: WorkerSlot, now: Int64) -> Int64? {
        // A remote worker's rank watches its deadline.
        guard slot.pid > 0, slot.remote == nil, slot.timedOutItem == nil, !slot.inFlight.isEmpty,
              slot.inFlight.contains(where: { jobs[$0.job]?.settings.timeout != nil }) else { return nil }
        let record = progress + slot.index
        let deadline = record.pointee.deadline
        // No task with a limit runs now (or it waits for a pull): look
        // again soon.
        guard deadline > 0 else { return 50_000_000 }
        let item = record.pointee.item
        // The item and its deadline read together: a task that just ended
        // is not blamed for the next.
        guard record.pointee.deadline == deadline, item > 0 else { return 1_000_000 }
        let left = deadline + WorkerPool.timeoutGraceNanos - now
        if left > 0 { return left }
        slot.timedOutItem = item
        ProcessTree.killTree(slot.pid)
        return nil
    }
}

/// The processes a worker started (a task's `os.execute`, `io.popen`):
/// killed with it when its task runs out of time, so nothing it began
/// runs on.
enum ProcessTree {
    /// Every descendant of `pid`, from /proc (children before their own).
    static func descendants(of pid: pid_t) -> [pid_t] {
        var parents: [pid_t: [pid_t]] = [:]
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let child = pid_t(name), let parent = parentOf(child) else { continue }
            parents[parent, default: []].append(child)
        }
        var found: [pid_t] = []
        var next = [pid]
        while let parent = next.popLast() {
            for child in parents[parent] ?? [] where !found.contains(child) {
                found.append(child)
                next.append(child)
            }
        }
        return found
    }

    /// The parent pid in /proc/PID/stat (the field after the command's
    /// closing parenthesis and the state).
    private static func parentOf(_ pid: pid_t) -> pid_t? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(cString: buffer)
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// Kills `pid` and everything it started.
    static func killTree(_ pid: pid_t) {
        let tree = descendants(of: pid)
        kill(pid, SIGSTOP)  // no new children while the tree is read
        for child in tree + descendants(of: pid) { kill(child, SIGKILL) }
        kill(pid, SIGKILL)
    }
}
