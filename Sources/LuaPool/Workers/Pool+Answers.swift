import CLua
import Glibc

extension WorkerPool {
    /// Takes one frame from a worker.
    func receive(_ frame: UnsafeRawBufferPointer, from slot: WorkerSlot) throws {
        guard let header = MessageHeader(frame) else { throw WorkerProtocolError() }
        let body = UnsafeRawBufferPointer(rebasing: frame[header.byteCount...])
        switch header.kind {
        case .results:
            let job = try finishChunk(header, from: slot)
            try storeResults(body, of: job, chunk: Int(header.chunk))
        case .failure:
            let job = try finishChunk(header, from: slot)
            try storeFailure(body, of: job, item: header.index, slot: slot)
        case .retiring:
            slot.retiring = true
        default:
            throw WorkerProtocolError()
        }
    }

    /// Marks the chunk answered and returns its job.
    private func finishChunk(_ header: MessageHeader, from slot: WorkerSlot) throws -> Job {
        guard let position = slot.inFlight.firstIndex(where: {
            $0.job == header.job && $0.chunk == Int(header.chunk)
        }), let job = jobs[header.job] else { throw WorkerProtocolError() }
        slot.inFlight.remove(at: position)
        job.chunks[Int(header.chunk)].done = true
        job.outstanding -= 1
        job.arrivals.append(header.chunk)
        return job
    }

    /// Copies a chunk's results into the job's results table.
    private func storeResults(_ body: UnsafeRawBufferPointer, of job: Job, chunk: Int) throws {
        let base = lua.top
        defer { lua.top = base }
        lua.rawGet(lua_Integer(job.results), of: LuaState.registryIndex)
        let results = lua.top
        guard try Wire.decode(lua, body) == 1, lua.type(at: -1) == .table else { throw WorkerProtocolError() }
        let answers = lua.top
        let first = job.chunks[chunk].first
        for i in 0..<job.chunks[chunk].size {
            lua.rawGet(lua_Integer(i + 1), of: answers)
            lua.rawSet(lua_Integer(first) + lua_Integer(i), of: results)
        }
    }

    private func storeFailure(_ body: UnsafeRawBufferPointer, of job: Job, item: Int64, slot: WorkerSlot) throws {
        guard job.failure == nil else { return }
        let base = lua.top
        defer { lua.top = base }
        guard try Wire.decode(lua, body) == 2 else { throw WorkerProtocolError() }
        let traceback = lua.toString(at: -1)
        lua.pop()
        let value = luaL_ref(lua.L, LuaState.registryIndex)
        job.failure = .raised(value: value, traceback: traceback, item: item, worker: slot.name, pid: slot.pid)
    }

    /// A worker's socket reached EOF or failed: reap it, fail the chunk it
    /// was running, put back the ones it had not started, and replace it.
    func workerDied(_ slot: WorkerSlot) {
        let pid = slot.pid
        retire(slot)
        let exit = reapSoon(pid)
        slot.pid = 0
        let running = slot.inFlight.first
        let waiting = slot.inFlight.dropFirst()
        slot.clear()
        if let running, let job = jobs[running.job] {
            let item = progress[slot.index] > 0 ? progress[slot.index] : job.chunks[running.chunk].first
            if job.failure == nil {
                job.failure = .died(worker: slot.name, pid: pid, exit: exit ?? .signaled(SIGKILL), item: item)
            }
            job.outstanding -= 1
        }
        // Chunks sent but not started go back to the front of the queue.
        let requeue = waiting.map { ($0.job, $0.chunk) }
        queue.replaceSubrange(queueHead..<queueHead, with: requeue)
        replace(slot)
    }

    /// Starts a new worker in the slot, unless the pool is ending.
    func replace(_ slot: WorkerSlot) {
        guard state != .terminated else { return }
        slot.retiring = false
        if let fresh = try? spawnWorker(slot: slot.index) {
            slot.number = fresh.number
            slot.pid = fresh.pid
            slot.socket = fresh.socket
        }
    }

    /// Waits for a worker whose socket closed: it is exiting, so this is
    /// short; one that lingers a second is killed.
    private func reapSoon(_ pid: pid_t) -> WorkerExit? {
        var status: Int32 = 0
        for attempt in 0..<1000 {
            let got = waitpid(pid, &status, WNOHANG)
            if got == pid { return WorkerExit(status: status) }
            if got < 0 && errno != EINTR { return nil }
            if attempt == 999 { kill(pid, SIGKILL) }
            usleep(attempt < 10 ? 50 : 1000)
        }
        return reap(pid)
    }

    /// Ctrl-C: every busy worker is killed and replaced; every unfinished
    /// job fails as interrupted.
    func interruptBusyWorkers() {
        for slot in slots where !slot.inFlight.isEmpty && slot.pid > 0 {
            kill(slot.pid, SIGKILL)
            let pid = slot.pid
            retire(slot)
            _ = reap(pid)
            slot.pid = 0
            slot.clear()
            replace(slot)
        }
        for job in jobs.values where !job.isReady {
            if job.failure == nil { job.failure = .interrupted }
            job.outstanding = 0
        }
        queue.removeAll()
        queueHead = 0
    }
}
