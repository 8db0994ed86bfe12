import Glibc

extension WorkerPool {
    /// How long past a task's time limit its worker may run on before the
    /// host kills it: the worker's own hook raises the timeout first, for
    /// Lua code; this is for a task stuck in C, or one that caught the
    /// error.
    static let timeoutGraceNanos: Int64 = 1_000_000_000

    /// Kills the worker in `slot` if its task ran past its call's time
    /// limit and the grace after it (the item is remembered: its worker's
    /// death is then a timeout). Returns the nanoseconds until the check
    /// is due again, nil when the running task has no limit.
    func enforceTimeout(_ slot: WorkerSlot, now: Int64) -> Int64? {
        guard slot.pid > 0, slot.timedOutItem == nil, let running = slot.inFlight.first,
              let seconds = jobs[running.job]?.settings.timeout else { return nil }
        let limit = Int64(min(seconds * 1e9, 9e18)) + WorkerPool.timeoutGraceNanos
        let record = progress[slot.index]
        // Not started yet (or between items): look again soon.
        guard record.itemStart > 0, record.item > 0 else { return 50_000_000 }
        let left = record.itemStart + limit - now
        if left > 0 { return left }
        slot.timedOutItem = record.item
        kill(slot.pid, SIGKILL)
        return nil
    }
}
