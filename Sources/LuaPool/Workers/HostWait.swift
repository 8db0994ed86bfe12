import CLua
import Glibc

/// The host's one wait: every place that waits (a pool call, an
/// `AsyncResult`'s `get` or `wait`, each `imap` step, `join`,
/// `Process:join`) goes through ``WorkerPool/waitAll(timeout:watching:until:)``,
/// which sends work to and reads answers from the workers of every live
/// pool, answering their pulls, until its condition holds. One wait runs
/// at a time: one called from inside another (a finalizer or hook that
/// ran while it read an answer) is refused, as it would tear the outer
/// wait's state.
extension WorkerPool {
    /// Why a wait ended without its condition holding.
    public enum WaitError: Error {
        /// Ctrl-C: busy workers were replaced and their calls failed.
        case interrupted
        /// A system call failed.
        case system(SystemError)
        /// A wait is already running in this process: this one was called
        /// from inside it.
        case busy
    }

    /// Whether a wait is running in this process.
    nonisolated(unsafe) public internal(set) static var isWaiting = false

    /// Waits for this pool's `done()` (see ``waitAll(timeout:watching:until:)``).
    public func wait(timeout: Double? = nil, until done: () -> Bool) throws(WaitError) -> Bool {
        try WorkerPool.waitAll(timeout: timeout, until: done)
    }

    /// Sends work and reads answers, for every live pool, until `done()`
    /// holds or `timeout` seconds pass (nil: no limit); also wakes when
    /// the descriptor `watching` is readable (a child's pidfd). Returns
    /// whether `done()` holds.
    public static func waitAll(timeout: Double? = nil, watching extra: Int32 = -1,
                               until done: () -> Bool) throws(WaitError) -> Bool {
        guard !isWaiting else { throw .busy }
        isWaiting = true
        defer {
            isWaiting = false
            if !ProgressDisplay.active.isEmpty { settleProgress(livePools) }
            releaseDeferred()
            lastWaitEnded = Spin.now()
        }
        releaseIdleBuffers()
        // A timeout beyond a few years is no timeout.
        let deadline = timeout.flatMap { $0 < 1e8 ? Spin.now() + Int64(max(0, $0) * 1e9) : nil }
        let interruptFD: FileDescriptor
        do { interruptFD = try PoolInterrupt.descriptor() } catch { throw .system(error) }
        PoolInterrupt.arm()
        defer { PoolInterrupt.disarm() }
        reapOrphans()
        // Workers that could not be started before (fork failed) are
        // tried again at each call.
        for pool in livePools where pool.slots.contains(where: { $0.pid <= 0 }) {
            pool.startMissingWorkers()
        }
        var fds: [pollfd] = []
        var owners: [(WorkerPool, WorkerSlot)] = []
        let first = (extra >= 0 ? 2 : 1) + (MPIHost.channel == nil ? 0 : 1)
        var lastRound = false
        while true {
            releaseDeferred()
            let pools = livePools
            if PoolInterrupt.raised != 0 {
                for pool in pools { pool.interruptBusyWorkers() }
                throw .interrupted
            }
            if done() { return true }
            for pool in pools {
                if !pool.slots.contains(where: { $0.pid > 0 }) { pool.startMissingWorkers() }
                pool.dispatch()
            }
            if done() { return true }
            if lastRound { return done() }
            var waitMillis: Int32 = -1
            if let deadline {
                let left = deadline - Spin.now()
                // Out of time (or none given, as `ready()`): one more look
                // at what the sockets hold, without sleeping.
                lastRound = left <= 0
                waitMillis = Int32(max(0, min(Int64(Int32.max), (left + 999_999) / 1_000_000)))
            }
            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: interruptFD.raw, events: Int16(POLLIN), revents: 0))
            if extra >= 0 { fds.append(pollfd(fd: extra, events: Int16(POLLIN), revents: 0)) }
            // Under MPI: news of remote workers (where they are).
            if let channel = MPIHost.channel { fds.append(pollfd(fd: channel.fd, events: Int16(POLLIN), revents: 0)) }
            var busy = false
            var nextCheck: Int64?
            let now = Spin.now()
            for pool in pools {
                for slot in pool.slots {
                    if !slot.inFlight.isEmpty, let due = pool.enforceTimeout(slot, now: now) {
                        nextCheck = min(nextCheck ?? due, due)
                    }
                    var events = Int16(POLLIN)
                    if slot.outputSent < slot.output.count { events |= Int16(POLLOUT) }
                    fds.append(pollfd(fd: slot.socket.raw, events: events, revents: 0))
                    owners.append((pool, slot))
                    // Spin only when an answer is likely within the spin:
                    // a chunk in flight whose job's chunks are quick (or
                    // not timed yet).
                    if !busy, let running = slot.inFlight.first, let job = pool.jobs[running.job],
                       job.meanChunkNanos < Spin.budgetNanoseconds {
                        busy = true
                    }
                }
            }
            if !Checkpoint.open.isEmpty, let due = Checkpoint.syncDue(now: now) {
                nextCheck = min(nextCheck ?? due, due)
            }
            if !ProgressDisplay.active.isEmpty {
                for pool in pools {
                    if let due = pool.drawProgress(now: now) { nextCheck = min(nextCheck ?? due, due) }
                }
            }
            if let nextCheck {
                // A task with a time limit runs, progress is drawn, or a
                // checkpoint's writes are to be synced: wake in time.
                let millis = Int32(min(1000, (nextCheck + 999_999) / 1_000_000))
                waitMillis = waitMillis < 0 ? millis : min(waitMillis, millis)
            }
            let ready = pollSpinning(&fds, spin: busy && !lastRound, timeout: waitMillis)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .system(SystemError("poll"))
            }
            // A byte in the Ctrl-C pipe without Ctrl-C here (a child's,
            // see PoolInterrupt.disarm) would wake every poll: it goes.
            if fds[0].revents != 0 && PoolInterrupt.raised == 0 { PoolInterrupt.drain() }
            if MPIHost.channel != nil, fds[first - 1].revents != 0 { MPIHost.service() }
            for (i, entry) in fds.enumerated().dropFirst(first) where entry.revents != 0 {
                let (pool, slot) = owners[i - first]
                pool.service(slot, events: entry.revents)
            }
        }
    }

    /// When the last wait ended.
    nonisolated(unsafe) private static var lastWaitEnded: Int64 = 0

    /// After the script ran its own code for a while between calls, large
    /// buffers kept for back-to-back calls (frame readers, the encoder's
    /// spare) are given back.
    private static func releaseIdleBuffers() {
        let pools = livePools
        let held = pools.reduce(ByteWriter.spareSize + LuaAllocator.keptSize) { sum, pool in
            pool.slots.reduce(sum) { $0 + $1.reader.bufferSize }
        }
        let idle = Int64(WorkerLoop.idleMilliseconds(holding: held)) * 1_000_000
        guard Spin.now() - lastWaitEnded > idle else { return }
        for pool in pools {
            for slot in pool.slots { slot.reader.shrink() }
        }
        ByteWriter.releaseSpare()
        PointerMap.Spare.release()
        LuaAllocator.release()
    }

    /// The pools of this process that can still have work.
    private static var livePools: [WorkerPool] {
        pools.values.compactMap(\.pool)
    }

    /// Pools let go (``release()``) by a finalizer during a wait, whose
    /// workers the wait may be reading from: released when it is safe.
    nonisolated(unsafe) static var deferredReleases: [WorkerPool] = []

    private static func releaseDeferred() {
        guard !deferredReleases.isEmpty else { return }
        let pools = deferredReleases
        deferredReleases.removeAll()
        for pool in pools { pool.release() }
    }

    /// `poll`, preceded by a short bounded spin of non-blocking polls when
    /// a quick answer is likely (`spin`: work is in flight).
    private static func pollSpinning(_ fds: inout [pollfd], spin: Bool, timeout: Int32) -> Int32 {
        if spin {
            let start = Spin.now()
            repeat {
                let n = poll(&fds, nfds_t(fds.count), 0)
                if n != 0 { return n }
            } while Spin.now() - start < Spin.budgetNanoseconds
        }
        return poll(&fds, nfds_t(fds.count), timeout)
    }
}
