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
            defer { dropIfCancelled(job) }
            let elapsed = max(1, header.index)
            job.meanChunkNanos = job.meanChunkNanos == 0 ? elapsed : (3 * job.meanChunkNanos + elapsed) / 4
            noteItemTime(of: job, size: job.chunks[Int(header.chunk)].size, nanos: elapsed)
            // After a large answer the worker gets its next chunk before
            // the results are stored, so it does not wait for the host to
            // store them; small answers are stored first, and work sent
            // in one batch after them.
            if body.count >= WorkerPool.eagerWriteBytes { dispatch() }
            if job.cancelled {
                dropIfCancelled(job)
            } else {
                do {
                    try storeResults(body, of: job, chunk: Int(header.chunk))
                } catch let error as CodecError {
                    // The worker answered; the host cannot read what it
                    // sent (a function of a module not loaded here...).
                    let chunk = job.chunks[Int(header.chunk)]
                    job.chunks[Int(header.chunk)].failed = true
                    if job.failure == nil {
                        let what = error.valueIndex.map { "item \(chunk.first + Int64($0))" } ?? itemRange(chunk)
                        job.failure = .undecodable("cannot receive the result of \(what): \(error.message)")
                    }
                }
            }
        case .failure where header.job == 0:
            try initializerFailed(body, in: slot)
        case .failure:
            let job = try finishChunk(header, from: slot)
            defer { dropIfCancelled(job) }
            job.chunks[Int(header.chunk)].failed = true
            if job.cancelled {
                dropIfCancelled(job)
            } else if job.settings.collect {
                // The chunk ended without its results: its item failed,
                // and so did the others, never answered.
                collectFailure(of: job, chunk: Int(header.chunk), try decodeFailure(body, slot: slot), item: header.index)
            } else {
                try storeFailure(body, of: job, item: header.index, slot: slot)
            }
        case .itemFailure:
            guard let job = jobs[header.job], slot.inFlight.contains(where: {
                $0.job == header.job && $0.chunk == Int(header.chunk)
            }) else { throw WorkerProtocolError() }
            let failure = try decodeFailure(body, slot: slot)
            if job.cancelled { failure.release(lua) } else { job.addFailure(header.index, failure, lua) }
        case .pull:
            answerPull(body, from: slot)
        case .retiring:
            slot.retiring = true
        case .ready:
            slot.started = true
        default:
            throw WorkerProtocolError()
        }
    }

    /// Answers a worker's pull of a global at once (the worker waits).
    private func answerPull(_ name: UnsafeRawBufferPointer, from slot: WorkerSlot) {
        let start = slot.output.count
        Frame.appendHeader(length: 0, to: &slot.output)
        MessageHeader(kind: .value).append(to: &slot.output)
        HostGlobals.answer(lua, pulling: name, into: &slot.output)
        Frame.patchLength(of: &slot.output, at: start)
        flush(slot)
    }

    /// Marks the chunk answered and returns its job.
    private func finishChunk(_ header: MessageHeader, from slot: WorkerSlot) throws -> Job {
        guard let position = slot.inFlight.firstIndex(where: {
            $0.job == header.job && $0.chunk == Int(header.chunk)
        }), let job = jobs[header.job] else { throw WorkerProtocolError() }
        slot.inFlight.remove(at: position)
        job.chunks[Int(header.chunk)].done = true
        job.outstanding -= 1
        job.itemsDone += job.chunks[Int(header.chunk)].size
        job.arrivals.append(header.chunk)
        return job
    }

    /// Forgets a job nobody will collect, once nothing of it is running.
    /// A second call releases what the job took since the first: a
    /// finalizer run by the collector while an answer is stored can
    /// cancel its call (a dropped `map_async`), after which the store
    /// still makes the results table or a failure's reference.
    func dropIfCancelled(_ job: Job) {
        guard job.cancelled, job.isReady else { return }
        if jobs[job.id] === job { jobs[job.id] = nil }
        job.release(lua)
    }

    /// A worker's initializer raised: the pool cannot run work any more.
    private func initializerFailed(_ body: UnsafeRawBufferPointer, in slot: WorkerSlot) throws {
        let base = lua.top
        defer { lua.top = base }
        // The error value, its traceback and its kind.
        guard try Wire.decode(lua, body) == 3 else { throw WorkerProtocolError() }
        let traceback = lua.toString(at: -2)
        let message = lua.type(at: -3) == .string || lua.type(at: -3) == .number
            ? lua.toString(at: -3) ?? "?"
            : "(error object is a \(lua.typeNameForError(at: -3)) value)"
        var text = "initializer failed in \(slot.name) (pid \(slot.pid)): \(message)"
        if let traceback { text += "\n" + traceback }
        breakPool(text)
    }

    /// Fails every unfinished call with `reason`; no new work is run and no
    /// worker is replaced from now on.
    func breakPool(_ reason: String) {
        guard broken == nil else { return }
        broken = reason
        for job in jobs.values where !job.isReady {
            if job.failure == nil { job.failure = .broken(reason) }
            job.outstanding = 0
        }
        for job in Array(jobs.values) { dropIfCancelled(job) }
        queue.removeAll()
        queueHead = 0
        for slot in slots { slot.inFlight.removeAll() }
    }

    /// Copies a chunk's results into the job's results table, and into
    /// its checkpoint.
    private func storeResults(_ body: UnsafeRawBufferPointer, of job: Job, chunk: Int) throws {
        let base = lua.top
        defer { lua.top = base }
        job.pushResults(lua)
        let (first, size) = (job.chunks[chunk].first, job.chunks[chunk].size)
        let slice = size > Wire.valueListLimit
        try storeChunk(body, into: lua.top, first: first, size: size, sliceFormat: slice)
        if let checkpoint = job.checkpoint {
            let end = first + Int64(size)
            let failed = size <= job.failures.count
                ? (first..<end).filter { job.failures[$0] != nil }
                : job.failures.keys.filter { $0 >= first && $0 < end }
            checkpoint.append(first: first, size: size, sliceFormat: slice, failed: failed, body: body)
        }
    }

    private func storeFailure(_ body: UnsafeRawBufferPointer, of job: Job, item: Int64, slot: WorkerSlot) throws {
        guard job.failure == nil else { return }
        let failure = try decodeFailure(body, slot: slot)
        job.failure = .raised(value: failure.value ?? LUA_NOREF, traceback: failure.traceback,
                              item: item, worker: slot.name, pid: slot.pid)
    }

    /// Reads a failure's error value (a registry reference), traceback and
    /// kind. An error value the host cannot read is still an error, with
    /// that as its message.
    private func decodeFailure(_ body: UnsafeRawBufferPointer, slot: WorkerSlot) throws -> ItemFailure {
        let base = lua.top
        defer { lua.top = base }
        let count: Int32
        do {
            count = try Wire.decode(lua, body)
        } catch {
            let message = "cannot receive the error value: \(error.message)"
            lua.push(message)
            return ItemFailure(value: luaL_ref(lua.L, LuaState.registryIndex), message: message, traceback: nil,
                               kind: .error, worker: slot.name, pid: slot.pid)
        }
        guard count == 3 else { throw WorkerProtocolError() }
        let kind = lua.toString(at: -1).flatMap(FailureKind.init(rawValue:)) ?? .error
        let traceback = lua.toString(at: -2)
        lua.pop(2)
        let message = lua.type(at: -1) == .string || lua.type(at: -1) == .number
            ? lua.toString(at: -1) ?? "" : "(error object is a \(lua.typeNameForError(at: -1)) value)"
        return ItemFailure(value: luaL_ref(lua.L, LuaState.registryIndex), message: message, traceback: traceback,
                           kind: kind, worker: slot.name, pid: slot.pid)
    }

    /// `item 3`, `items 3 to 8`: the items of a chunk, for a message.
    func itemRange(_ chunk: Job.Chunk) -> String {
        chunk.size == 1 ? "item \(chunk.first)" : "items \(chunk.first) to \(chunk.first + Int64(chunk.size) - 1)"
    }

    /// A worker's socket reached EOF or failed: reap it, and replace it.
    /// Its shared progress record tells which of the chunks it was sent
    /// it had started: the last one started fails, naming the item it was
    /// running; any before it were done but their answers went down with
    /// the worker (only answers allowed to wait, of the same whole call,
    /// which fails anyway), so they fail too and are never run again; the
    /// ones after it never ran and go back to the front of the queue.
    func workerDied(_ slot: WorkerSlot) {
        let pid = slot.pid
        guard pid > 0 else { return }
        retire(slot)
        let exit: WorkerExit
        if let remote = slot.remote {
            // Its rank said how it ended, and where it was, before its
            // socket closed.
            let ended = MPIHost.waitExit(remote.id)
            if let ended, ended.timedOut > 0 { slot.timedOutItem = ended.timedOut }
            exit = ended.map { WorkerExit(status: $0.status) } ?? .signaled(SIGKILL)
        } else {
            exit = reapSoon(pid) ?? .signaled(SIGKILL)
            WorkerPool.untrack(pid)
        }
        slot.pid = 0
        let sent = slot.inFlight
        let last = progress[slot.index]
        let lostAnswer = slot.lostAnswer
        let timedOut = slot.timedOutItem
        slot.clear()
        if !slot.started, configuration.initializer != nil, state != .joining {
            breakPool("initializer failed in \(slot.name) (pid \(pid)): the worker \(exit) in its initializer")
        }
        var started = sent.lastIndex { WorkerPool.key($0) == last.chunk }
        var diedBefore = false
        if started == nil, lostAnswer == nil, !slot.retiring, state != .joining,
           let first = sent.first, let job = jobs[first.job] {
            // Dead before starting anything: the chunk next in line may be
            // what kills it (a message it cannot take); the second time,
            // it fails instead of going round again.
            job.chunks[first.chunk].deathsBeforeStart += 1
            if job.chunks[first.chunk].deathsBeforeStart >= 2 { (started, diedBefore) = (0, true) }
        }
        if let lostAnswer, let first = sent.first, let job = jobs[first.job] {
            // Ended by the host, which could not read its answer to the
            // oldest chunk: that chunk fails with the reason.
            started = max(started ?? 0, 0)
            if job.failure == nil {
                job.failure = .undecodable("cannot receive the result of \(itemRange(job.chunks[first.chunk])): \(lostAnswer)")
            }
        }
        var requeue: [(UInt32, Int)] = []
        // The chunk started last first: its failure is the one named.
        for (position, chunk) in sent.enumerated().reversed() where position <= started ?? -1 {
            guard let job = jobs[chunk.job], !job.isReady, !job.chunks[chunk.chunk].done else { continue }
            let item = last.item
            if position == started, item > 0, !diedBefore, lostAnswer == nil {
                if let again = rescue(job, chunk.chunk, item: item, timedOut: timedOut == item,
                                      worker: slot.name, pid: pid, exit: exit) {
                    // Retried, or the item's failure collected: the call
                    // goes on with the rest of the chunk.
                    job.chunks[chunk.chunk].done = true
                    job.chunks[chunk.chunk].failed = true
                    requeue += again
                    job.outstanding -= 1
                    continue
                }
                if timedOut == item, job.failure == nil {
                    job.failure = .timedOut(worker: slot.name, pid: pid, item: item,
                                            seconds: job.settings.timeout ?? 0)
                }
            }
            if job.failure == nil, job.settings.collect {
                // Under collect the call goes on without the chunk.
                let (first, size) = (job.chunks[chunk.chunk].first, Int64(job.chunks[chunk.chunk].size))
                let failedItem = position == started && !diedBefore && item >= first && item < first + size ? item : first
                collectFailure(of: job, chunk: chunk.chunk, ItemFailure(
                    value: nil, message: "\(slot.name) (pid \(pid)) died: \(exit)", traceback: nil,
                    kind: timedOut == item ? .timeout : .died, worker: slot.name, pid: pid), item: failedItem)
                continue
            }
            job.chunks[chunk.chunk].done = true
            job.chunks[chunk.chunk].failed = true
            if job.failure == nil {
                let chunkFirst = job.chunks[chunk.chunk].first
                if diedBefore {
                    job.failure = .died(worker: slot.name, pid: pid, exit: exit, item: chunkFirst, when: .before)
                } else if position == started && last.item > 0 {
                    job.failure = .died(worker: slot.name, pid: pid, exit: exit, item: last.item, when: .running)
                } else {
                    let lastItem = chunkFirst + Int64(job.chunks[chunk.chunk].size) - 1
                    job.failure = .died(worker: slot.name, pid: pid, exit: exit, item: lastItem, when: .after)
                }
            }
            job.outstanding -= 1
            dropIfCancelled(job)
        }
        requeue += sent[((started ?? -1) + 1)...].map { ($0.job, $0.chunk) }
        queue.replaceSubrange(queueHead..<queueHead, with: requeue)
        if state != .joining, broken == nil { replace(slot) }
    }

    /// The worker running item `item` of `job`'s chunk `chunk` died (or was
    /// killed past the task's time). When the item may run again
    /// (retries) or its failure is collected, returns the new chunks to
    /// run: the items of the chunk before it (they ran, but their answers
    /// went with the worker), it again if retried, and those after it;
    /// nil when the call fails instead.
    private func rescue(_ job: Job, _ chunk: Int, item: Int64, timedOut: Bool,
                        worker: String, pid: Int32, exit: WorkerExit) -> [(UInt32, Int)]? {
        let deaths = (job.deaths[item] ?? 0) + 1
        job.deaths[item] = deaths
        let retry = !timedOut && deaths <= job.settings.retriesInEffect
        guard retry || job.settings.collect else { return nil }
        job.chunks[chunk].superseded = true
        let (first, end) = (job.chunks[chunk].first, job.chunks[chunk].first + Int64(job.chunks[chunk].size))
        var again: [(UInt32, Int)] = []
        // The items before it ran, but their answers went with the worker:
        // they run again, except those whose failure was already reported.
        var from = first
        while from < item {
            let failed = job.failures[from] != nil
            var to = from
            while to < item, (job.failures[to] != nil) == failed { to += 1 }
            let added = job.addChunk(first: from, size: Int(to - from))
            if failed {
                // Answered already, as failures: done.
                job.chunks[added].done = true
                job.chunks[added].failed = true
                job.outstanding -= 1
                job.itemsDone += Int(to - from)
                job.arrivals.append(UInt32(added))
            } else {
                again.append((job.id, added))
            }
            from = to
        }
        if retry {
            again.append((job.id, job.addChunk(first: item, size: Int(end - item))))
            return again
        }
        let message = timedOut ? TimeoutMessage.text(job.settings.timeout ?? 0)
            : "\(worker) (pid \(pid)) died running item \(item): \(exit)"
        let failed = job.addChunk(first: item, size: 1)
        collectFailure(of: job, chunk: failed, ItemFailure(
            value: nil, message: message, traceback: nil, kind: timedOut ? .timeout : .died, worker: worker, pid: pid))
        if item + 1 < end { again.append((job.id, job.addChunk(first: item + 1, size: Int(end - item - 1)))) }
        return again
    }

    /// errors = "collect": every item of a chunk that came to nothing
    /// fails with `failure` (the first with it, the others as not
    /// answered); the chunk is done.
    func collectFailure(of job: Job, chunk: Int, _ failure: ItemFailure, item named: Int64? = nil) {
        let (first, size) = (job.chunks[chunk].first, job.chunks[chunk].size)
        let named = named ?? first
        for index in first..<(first + Int64(size)) where index != named {
            job.addFailure(index, ItemFailure(
                value: nil, message: "not answered: item \(named) of the same chunk failed: \(failure.message)",
                traceback: nil, kind: failure.kind, worker: failure.worker, pid: failure.pid), lua)
        }
        job.addFailure(named, failure, lua)
        if !job.chunks[chunk].done {
            job.chunks[chunk].done = true
            job.outstanding -= 1
            job.itemsDone += size
            job.arrivals.append(UInt32(chunk))
        }
        job.chunks[chunk].failed = true
    }

    /// The progress key of a chunk sent to a worker.
    static func key(_ chunk: (job: UInt32, chunk: Int)) -> Int64 {
        WorkerProgress.key(job: chunk.job, chunk: UInt32(chunk.chunk))
    }

    /// Starts a new worker in the slot, unless the pool is ending. When
    /// the fork fails the slot stays empty (see ``startMissingWorkers()``).
    func replace(_ slot: WorkerSlot) {
        guard state != .terminated else { return }
        slot.retiring = false
        do {
            let fresh = try spawnWorker(slot: slot.index)
            slot.number = fresh.number
            slot.pid = fresh.pid
            slot.socket = fresh.socket
            slot.started = fresh.started
            slot.remote = fresh.remote
            slot.seenVersion = fresh.seenVersion
        } catch {
            lastStartFailure = error
        }
    }

    /// Starts a worker in every empty slot. When none could be started and
    /// no worker is left, every unfinished call fails with the reason (the
    /// next call tries again).
    func startMissingWorkers() {
        guard broken == nil, state == .running || state == .closed else { return }
        for slot in slots where slot.pid <= 0 { replace(slot) }
        if let error = lastStartFailure, !slots.contains(where: { $0.pid > 0 }) {
            failUnfinished(.noWorkers("cannot start a worker: \(error)"))
        }
        lastStartFailure = nil
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
            signalWorker(slot, SIGKILL)
            let pid = slot.pid
            retire(slot)
            if let remote = slot.remote {
                // Its rank ends it; the call does not wait for the news.
                MPIHost.forget(remote.id)
            } else {
                _ = reap(pid)
                WorkerPool.untrack(pid)
            }
            slot.pid = 0
            let wasRemote = slot.remote != nil
            slot.clear()
            // A remote worker is started again at the next call: under
            // mpirun, Ctrl-C ends the other ranks too.
            if state != .joining, !wasRemote { replace(slot) }
        }
        for job in jobs.values where !job.isReady {
            if job.failure == nil { job.failure = .interrupted }
            job.outstanding = 0
        }
        for job in Array(jobs.values) { dropIfCancelled(job) }
        queue.removeAll()
        queueHead = 0
    }
}
