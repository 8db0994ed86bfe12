import CLua
import Glibc

extension WorkerPool {
    /// Why a wait ended without its condition holding.
    public enum WaitError: Error {
        /// Ctrl-C: busy workers were replaced and their calls failed.
        case interrupted
        /// A system call failed.
        case system(SystemError)
    }

    /// Sends work and reads answers until `done()` holds or `timeout`
    /// seconds pass (nil: no limit). Returns whether `done()` holds.
    public func wait(timeout: Double? = nil, until done: () -> Bool) throws(WaitError) -> Bool {
        let deadline = timeout.map { Spin.now() + Int64(max(0, $0) * 1e9) }
        let interruptFD: FileDescriptor
        do { interruptFD = try PoolInterrupt.descriptor() } catch { throw .system(error) }
        PoolInterrupt.arm()
        defer { PoolInterrupt.disarm() }
        var fds: [pollfd] = []
        while true {
            if PoolInterrupt.raised != 0 {
                interruptBusyWorkers()
                throw .interrupted
            }
            if done() { return true }
            dispatch()
            var waitMillis: Int32 = -1
            if let deadline {
                let left = deadline - Spin.now()
                if left <= 0 { return done() }
                waitMillis = Int32(min(Int64(Int32.max), (left + 999_999) / 1_000_000))
            }
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: interruptFD.raw, events: Int16(POLLIN), revents: 0))
            for slot in slots {
                var events = Int16(POLLIN)
                if slot.outputSent < slot.output.count { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: slot.socket.raw, events: events, revents: 0))
            }
            let ready = pollSpinning(&fds, timeout: waitMillis)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .system(SystemError("poll"))
            }
            for (i, entry) in fds.enumerated().dropFirst() where entry.revents != 0 {
                service(slots[i - 1], events: entry.revents)
            }
        }
    }

    /// `poll`, preceded by a short bounded spin of non-blocking polls when
    /// a quick answer is likely (work is in flight).
    private func pollSpinning(_ fds: inout [pollfd], timeout: Int32) -> Int32 {
        if slots.contains(where: { !$0.inFlight.isEmpty }) {
            let start = Spin.now()
            repeat {
                let n = poll(&fds, nfds_t(fds.count), 0)
                if n != 0 { return n }
            } while Spin.now() - start < Spin.budgetNanoseconds
        }
        return poll(&fds, nfds_t(fds.count), timeout)
    }

    /// Reads and writes what a worker's socket is ready for.
    private func service(_ slot: WorkerSlot, events: Int16) {
        if events & Int16(POLLOUT) != 0 { flush(slot) }
        guard events & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while slot.pid > 0 {
            let got: Int?
            do {
                got = try buffer.withUnsafeMutableBytes { (raw) throws(SystemError) in try slot.socket.read(into: raw) }
            } catch {
                workerDied(slot)                                      // read error
                return
            }
            guard let count = got else { break }                      // drained
            if count == 0 { workerDied(slot); return }                // EOF
            buffer.withUnsafeBytes { slot.reader.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            do {
                while try slot.reader.next({ frame in try receive(frame, from: slot) }) {}
            } catch {
                // A worker that speaks nonsense is ended and replaced.
                kill(slot.pid, SIGKILL)
                workerDied(slot)
                return
            }
            if count < buffer.count { break }
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

    /// Hands queued chunks to workers, up to two in flight each, so a
    /// worker finds its next chunk waiting when it finishes one.
    func dispatch() {
        guard broken == nil, state != .terminated else { return }
        for slot in slots where slot.pid > 0 && !slot.retiring {
            while slot.inFlight.count < 2, let (jobID, chunk) = dequeue() {
                guard let job = jobs[jobID] else { continue }
                if slot.loadedJob != jobID {
                    Frame.appendHeader(length: 5 + job.function.count, to: &slot.output)
                    MessageHeader(kind: .function, job: jobID).append(to: &slot.output)
                    slot.output.append(contentsOf: job.function)
                    slot.loadedJob = jobID
                }
                var header = MessageHeader(kind: .task, job: jobID, chunk: UInt32(chunk),
                                           index: job.chunks[chunk].first)
                if job.tuples { header.flags |= MessageHeader.tuplesFlag }
                if let seed = job.seed {
                    header.flags |= MessageHeader.seededFlag
                    header.seed = seed
                }
                Frame.appendHeader(length: header.byteCount + job.chunks[chunk].items.count, to: &slot.output)
                header.append(to: &slot.output)
                slot.output.append(contentsOf: job.chunks[chunk].items)
                slot.inFlight.append((jobID, chunk))
            }
            if slot.outputSent < slot.output.count { flush(slot) }
        }
    }

    private func dequeue() -> (UInt32, Int)? {
        while queueHead < queue.count {
            let next = queue[queueHead]
            queueHead += 1
            guard let job = jobs[next.job] else { continue }
            if job.failure == nil, !job.cancelled { return next }
            // The job already failed, or nobody waits for it: its other
            // chunks are dropped.
            job.outstanding -= 1
            dropIfCancelled(job)
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        return nil
    }
}
