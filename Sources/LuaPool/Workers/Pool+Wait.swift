import CLua
import Glibc

extension WorkerPool {
    /// Reads and writes what a worker's socket is ready for.
    func service(_ slot: WorkerSlot, events: Int16) {
        if events & Int16(POLLOUT) != 0 { flush(slot) }
        guard events & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { return }
        while slot.pid > 0 {
            let got: (count: Int?, full: Bool)
            do {
                got = try slot.reader.fill { (room) throws(SystemError) in try slot.socket.read(into: room) }
            } catch {
                workerDied(slot)                                      // read error
                return
            }
            if slot.reader.failedAllocation != nil {
                // The answer cannot be read: the worker goes, its chunk
                // fails with Lua's memory error.
                slot.lostAnswer = "not enough memory"
                if slot.pid > 0 { signalWorker(slot, SIGKILL) }
                workerDied(slot)
                return
            }
            guard let count = got.count else { break }                // drained
            if count == 0 { workerDied(slot); return }                // EOF
            do {
                while try slot.reader.next({ frame in try receive(frame, from: slot) }) {}
            } catch {
                // A worker that speaks nonsense is ended and replaced.
                if slot.pid > 0 { signalWorker(slot, SIGKILL) }
                workerDied(slot)
                return
            }
            if !got.full { break }
        }
    }

    /// Writes as much pending output as the socket takes.
    func flush(_ slot: WorkerSlot) {
        while slot.outputSent < slot.output.count {
            let sent = slot.output.withUnsafeBytes { raw in
                try? slot.socket.send(UnsafeRawBufferPointer(rebasing: raw[slot.outputSent...]))
            }
            guard let sent, sent > 0 else { return }
            slot.outputSent += sent
        }
        slot.output.removeAll(keepingCapacity: true)
        slot.outputSent = 0
    }

    /// Hands queued chunks to workers, so a worker finds its next chunk
    /// waiting when it finishes one: two in flight each, more when the
    /// job's chunks are quick (see ``depth(for:)``).
    func dispatch() {
        guard broken == nil, state != .terminated, peek() != nil else { return }
        // Level by level, so that idle workers get work before busy ones
        // get more: first one chunk each, then a second, and so on.
        levels: for level in 1...WorkerPool.maxDepth {
            guard let (jobID, _) = peek(), let job = jobs[jobID], level <= depth(for: job) else { break }
            for slot in slots where slot.pid > 0 && !slot.retiring && slot.inFlight.count < level {
                guard let (jobID, chunk) = peek(), let job = jobs[jobID] else { break levels }
                guard level <= depth(for: job),
                      slot.output.count - slot.outputSent < WorkerPool.backlogLimit else { continue }
                queueHead += 1
                send(chunk, of: job, to: slot)
                // A large chunk is written at once, so this worker starts
                // on it while the next is encoded; small ones are batched.
                if slot.output.count - slot.outputSent >= WorkerPool.eagerWriteBytes { flush(slot) }
            }
        }
        for slot in slots where slot.outputSent < slot.output.count {
            flush(slot)
        }
    }

    /// Appends a chunk's task frame (and the function, if the worker does
    /// not hold it yet) to the worker's output.
    private func send(_ chunk: Int, of job: Job, to slot: WorkerSlot) {
        if slot.seenVersion < HostGlobals.version { sendForget(to: slot) }
        if slot.loadedJob != job.id {
            // With the function, the limits on each of its tasks.
            var function = MessageHeader(kind: .function, job: job.id)
            function.index = job.settings.timeout.map { max(1, Int64(min($0 * 1e9, 9e18))) } ?? 0
            function.seed = Int64(job.settings.memory ?? 0)
            Frame.appendHeader(length: function.byteCount + job.function.count, to: &slot.output)
            function.append(to: &slot.output)
            slot.output.append(contentsOf: job.function)
            slot.loadedJob = job.id
        }
        var header = MessageHeader(kind: .task, job: job.id, chunk: UInt32(chunk), index: job.chunks[chunk].first)
        if job.tuples { header.flags |= MessageHeader.tuplesFlag }
        // An answer lost with its worker must cost nothing the caller
        // would get: it waits only when the whole call fails with it.
        if job.wholeCall && !job.settings.rescues { header.flags |= MessageHeader.mayWaitFlag }
        if job.settings.collect { header.flags |= MessageHeader.collectFlag }
        if job.chunks[chunk].size > Wire.valueListLimit { header.flags |= MessageHeader.tableFlag }
        if let seed = job.seed {
            header.flags |= MessageHeader.seededFlag
            header.seed = seed
            header.stream = job.stream
        }
        let start = slot.output.count
        Frame.appendHeader(length: 0, to: &slot.output)
        header.append(to: &slot.output)
        guard encodeItems(of: job, chunk: chunk, into: &slot.output) else {
            // The job failed: its other chunks are dropped as they come up.
            slot.output.removeSubrange(start...)
            job.outstanding -= 1
            return
        }
        Frame.patchLength(of: &slot.output, at: start)
        slot.inFlight.append((job.id, chunk))
    }

    /// Appends a `forget` frame: the globals rebound since the worker last
    /// saw them.
    private func sendForget(to slot: WorkerSlot) {
        let names = HostGlobals.names(since: slot.seenVersion)
        slot.seenVersion = HostGlobals.version
        guard !names.isEmpty else { return }
        let base = lua.top
        defer { lua.top = base }
        guard lua.ensureStack(Int32(min(names.count, 100_000)) + 4) else { return }
        for name in names.prefix(100_000) { lua.push(bytes: name) }
        let start = slot.output.count
        Frame.appendHeader(length: 0, to: &slot.output)
        MessageHeader(kind: .forget).append(to: &slot.output)
        do {
            try Wire.encode(lua, count: lua.top - base, into: &slot.output)
            Frame.patchLength(of: &slot.output, at: start)
        } catch {
            slot.output.removeSubrange(start...)
        }
    }

    /// Pending bytes from which a worker's output is written before the
    /// next chunk is encoded.
    static let eagerWriteBytes = 1 << 16

    /// The most chunks a worker holds.
    static let maxDepth = 64

    /// Bytes written to a worker's buffer and not yet taken by its socket,
    /// beyond which no more chunks are queued for it.
    static let backlogLimit = 1 << 20

    /// How many chunks of `job` a worker may hold: enough to keep about
    /// two milliseconds of work waiting when its chunks are quick, so the
    /// answers of many go back in one write; two for slow chunks, so the
    /// last ones are not stuck behind a busy worker while another idles.
    func depth(for job: Job) -> Int {
        guard job.meanChunkNanos > 0 else { return 2 }
        return min(WorkerPool.maxDepth, max(2, Int(2_000_000 / job.meanChunkNanos)))
    }

    /// The next chunk to send, left in the queue; chunks of jobs that
    /// failed or were dropped are skipped.
    private func peek() -> (UInt32, Int)? {
        while queueHead < queue.count {
            let next = queue[queueHead]
            guard let job = jobs[next.job] else {
                queueHead += 1
                continue
            }
            if job.failure == nil, !job.cancelled { return next }
            // The job already failed, or nobody waits for it: its other
            // chunks are dropped.
            queueHead += 1
            job.outstanding -= 1
            dropIfCancelled(job)
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        return nil
    }
}
