import CLua

extension WorkerPool {
    /// Why a call could not be submitted.
    public enum SubmitError: Error {
        /// `close()` or `join()` was called.
        case closed
        case terminated
        /// The initializer failed; the text says where and why.
        case broken(String)
        /// A value that cannot be sent; the message says what and where.
        case unsendable(String)
        /// The checkpoint file cannot be used; the message says why.
        case checkpoint(String)
    }

    /// Python's default, about four chunks per worker; but when the
    /// function's items are known to be quick (`itemNanos`, from its last
    /// calls), chunks of about ``targetChunkNanos`` each, up to two chunks
    /// per worker: each chunk costs the processes a few wake-ups, a large
    /// part of a small map of quick items. At most twice Python's size, so
    /// that items slower than those measured (other inputs) still spread;
    /// never more than ``largestDefaultChunk`` items.
    public func defaultChunkSize(for count: Int, itemNanos: Int64? = nil) -> Int {
        WorkerPool.defaultChunkSize(for: count, workers: configuration.processes, itemNanos: itemNanos)
    }

    /// ``defaultChunkSize(for:itemNanos:)`` for a pool of `workers`.
    public static func defaultChunkSize(for count: Int, workers: Int, itemNanos: Int64?) -> Int {
        let workers = max(1, workers)
        func ceilingOf(_ n: Int, by d: Int) -> Int { n / d + (n % d > 0 ? 1 : 0) }
        var size = ceilingOf(count, by: workers * 4)
        if let itemNanos, itemNanos > 0 {
            let byTime = Int(min(Int64(largestDefaultChunk), targetChunkNanos / itemNanos))
            size = max(size, min(byTime, ceilingOf(count, by: workers * 2)))
        }
        return min(largestDefaultChunk, max(1, size))
    }

    /// The time a default chunk of quick items aims at.
    static let targetChunkNanos: Int64 = 2_000_000

    /// The key under which the time an item of `function` took is kept:
    /// its bytes (at most the first 64 KiB of them, and their count).
    static func timingKey(of function: [UInt8]) -> Int {
        var hasher = Hasher()
        hasher.combine(function.count)
        function.prefix(1 << 16).withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    /// Keeps how long an item of the job's function took, from a chunk of
    /// `size` items that took `nanos` in a worker.
    func noteItemTime(of job: Job, size: Int, nanos: Int64) {
        guard let key = job.timingKey, size > 0 else { return }
        let perItem = max(1, nanos / Int64(size))
        if itemNanos.count >= 256 && itemNanos[key] == nil { itemNanos.removeAll() }
        itemNanos[key] = itemNanos[key].map { ($0 + perItem) / 2 } ?? perItem
    }

    /// The most items a default chunk takes: beyond it a chunk's bytes
    /// outgrow the caches and each chunk costs more per item (a chunk of
    /// 1,250,000 numbers is 6 to 11 MB), while its own cost is already
    /// spread thin.
    static let largestDefaultChunk = 1 << 16

    /// Submits calls of the function at stack index `function` over the
    /// items `1...count` of the table at `items` (each an argument, or
    /// with `tuples` an argument list). The function is encoded once.
    /// `wholeCall`: the caller takes all the results or the first failure
    /// (map, not imap or apply), so answers may wait in a worker for the
    /// next ones (see MessageHeader.mayWaitFlag).
    public func submit(function: Int32, items: Int32, count: Int, tuples: Bool,
                       chunkSize: Int?, wholeCall: Bool = false,
                       settings: CallSettings = CallSettings()) throws(SubmitError) -> UInt32 {
        if let broken { throw .broken(broken) }
        switch state {
        case .running: break
        case .terminated: throw .terminated
        case .closed, .joining, .joined: throw .closed
        }
        let function = lua.absoluteIndex(function)
        let items = lua.absoluteIndex(items)
        var functionBytes: [UInt8] = []
        lua.pushValue(at: function)
        defer { lua.pop() }
        let holdsGlobals: Bool
        do { holdsGlobals = try Wire.encodeFunction(lua, into: &functionBytes) } catch {
            throw .unsendable(error.message(root: "function"))
        }
        // Globals the script rebound since the workers took theirs are
        // found now, for a function that reads globals; the workers forget
        // them before its chunks run.
        if holdsGlobals { HostGlobals.check(lua) }
        // Default chunks follow how long the function's items took in its
        // last calls; not with maxtasksperchild, which counts chunks.
        let timingKey = chunkSize == nil && configuration.maxTasksPerChild == nil && count > configuration.processes
            ? WorkerPool.timingKey(of: functionBytes) : nil
        let size = chunkSize ?? defaultChunkSize(for: count, itemNanos: timingKey.flatMap { itemNanos[$0] })
        let resume = try settings.checkpoint.map { (path) throws(SubmitError) in
            try openCheckpoint(path, function: function, items: items, count: count, tuples: tuples)
        }
        // The items are encoded as their chunks are sent, so the workers
        // start on the first chunks while the host encodes the next.
        lua.pushValue(at: items)
        let itemsRef = luaL_ref(lua.L, LuaState.registryIndex)
        let id = nextJobID
        nextJobID &+= 1
        let job = Job(id: id, function: functionBytes, tuples: tuples, seed: configuration.seed,
                      count: count, chunks: [], items: itemsRef)
        job.wholeCall = wholeCall
        job.timingKey = timingKey
        job.settings = settings
        job.stream = callsAccepted << 32
        callsAccepted += 1
        jobs[id] = job
        var done: [Bool] = []
        if let resume {
            job.checkpoint = resume.checkpoint
            done = restore(resume, into: job)
        }
        job.plan(chunkSize: size, done: done)
        job.display = ProgressDisplay.make(settings.progress, total: count, resumed: job.itemsDone)
        queue.append(contentsOf: job.chunks.indices.lazy.filter { !job.chunks[$0].done }.map { (id, $0) })
        return id
    }

    /// Opens the call's checkpoint, keyed by its function, its items, and
    /// the pool's seed and the call's number when seeded.
    private func openCheckpoint(_ path: String, function: Int32, items: Int32,
                                count: Int, tuples: Bool) throws(SubmitError) -> Checkpoint.Opened {
        let functionHash: String, inputsHash: String
        do {
            functionHash = try Codec.canonicalHash(lua, first: function, count: 1)
        } catch {
            throw .unsendable(error.message(root: "function"))
        }
        do {
            // The items, and how they are passed (map or starmap).
            lua.pushValue(at: items)
            lua.push(tuples)
            defer { lua.pop(2) }
            inputsHash = try Codec.canonicalHash(lua, first: lua.top - 1, count: 2)
        } catch {
            throw .unsendable(error.message(root: "items"))
        }
        let key = Checkpoint.Key(codec: Int(Codec.version), function: functionHash, inputs: inputsHash, items: count,
                                 seed: configuration.seed, call: configuration.seed == nil ? nil : callsAccepted)
        do { return try Checkpoint.open(path: path, key: key) } catch { throw .checkpoint(error.message) }
    }

    /// Puts the results a checkpoint holds into the job's results table;
    /// returns which items are done (by input index), and tells how many.
    private func restore(_ opened: Checkpoint.Opened, into job: Job) -> [Bool] {
        var done = [Bool](repeating: false, count: job.count + 1)
        let base = lua.top
        defer { lua.top = base }
        job.pushResults(lua)
        let results = lua.top
        for record in opened.records {
            guard record.first >= 1, record.size >= 0, record.first + Int64(record.size) - 1 <= Int64(job.count) else {
                continue
            }
            let stored = record.body.withUnsafeBytes { body in
                (try? storeChunk(body, into: results, first: record.first, size: record.size,
                                 sliceFormat: record.sliceFormat)) != nil
            }
            lua.top = results
            guard stored else { continue }
            for index in record.first..<(record.first + Int64(record.size)) where !record.failed.contains(index) {
                done[Int(index)] = true
            }
            // A failed item's nil stays: it runs again.
        }
        let count = done.lazy.filter { $0 }.count
        let path = opened.checkpoint.path
        if !opened.resumed {
            Checkpoint.notice("checkpoint '\(path)': new, \(job.count) items to run")
        } else if count == job.count {
            Checkpoint.notice("checkpoint '\(path)': all \(job.count) items done, nothing to run")
        } else {
            Checkpoint.notice("checkpoint '\(path)': resuming, \(count) of \(job.count) items done, \(job.count - count) to run")
        }
        return done
    }

    /// Pushes nothing; stores the values of a chunk's answer (`size` of
    /// them, a list of values or with `sliceFormat` a list table) into the
    /// table at `results` from index `first`.
    func storeChunk(_ body: UnsafeRawBufferPointer, into results: Int32, first: Int64, size: Int,
                    sliceFormat: Bool) throws {
        let base = lua.top
        defer { lua.top = base }
        if sliceFormat {
            guard try Wire.decodeSlice(lua, body, into: results, at: first) == size else {
                throw WorkerProtocolError()
            }
            return
        }
        // Numbers (each answer of a map of numbers with chunksize 1)
        // without a decoder.
        if Wire.storeNumbers(lua, body, count: size, into: results, at: first) { return }
        guard lua.ensureStack(Int32(size) + 4), try Wire.decode(lua, body) == size else { throw WorkerProtocolError() }
        for i in stride(from: lua_Integer(size) - 1, through: 0, by: -1) {
            lua.rawSet(first + i, of: results)
        }
    }

    /// Appends the codec bytes of a chunk's items: the values themselves
    /// for a small chunk, else a table of them with its `n` (see
    /// ``Wire/valueListLimit``). A value that cannot be sent fails the job.
    func encodeItems(of job: Job, chunk: Int, into buffer: inout [UInt8]) -> Bool {
        let base = lua.top
        defer { lua.top = base }
        let (first, n) = (Int(job.chunks[chunk].first), job.chunks[chunk].size)
        lua.rawGet(lua_Integer(job.items), of: LuaState.registryIndex)
        let items = lua.top
        let start = buffer.count
        do throws(CodecError) {
            if n <= Wire.valueListLimit {
                guard lua.ensureStack(Int32(n) + 4) else { throw CodecError.stackOverflowSending() }
                // Numbers (each chunk of a map of numbers with chunksize 1)
                // without an encoder.
                if try Wire.encodeNumbers(lua, table: items, first: lua_Integer(first), count: n, into: &buffer) {
                    return true
                }
                for i in first..<(first + n) { lua.rawGet(lua_Integer(i), of: items) }
                try Wire.encode(lua, count: Int32(n), into: &buffer)
            } else {
                try Wire.encodeSlice(lua, table: items, first: lua_Integer(first), count: n, into: &buffer)
            }
            return true
        } catch {
            buffer.removeSubrange(start...)
            let message = unsendableItem(items, from: first, count: n) ?? error.message
            job.failure = .unsendable(message)
            return false
        }
    }

    /// Which item of `first..<first+count` cannot be sent, and why.
    private func unsendableItem(_ items: Int32, from first: Int, count: Int) -> String? {
        for i in first..<(first + count) {
            lua.rawGet(lua_Integer(i), of: items)
            defer { lua.pop() }
            do { try Wire.check(lua) } catch {
                return error.message(root: "items[\(i)]")
            }
        }
        return nil
    }

    /// The job with this id, while the pool knows it.
    func job(_ id: UInt32) -> Job? { jobs[id] }

    /// Whether the job's outcome is known: all its results are back, or it
    /// failed (first error wins: the call need not wait for the rest).
    public func isReady(_ id: UInt32) -> Bool {
        jobs[id]?.isDone ?? true
    }

    /// What a finished call gives.
    enum Finished {
        /// Its results table (and with errors = "collect" its list of
        /// failures) were pushed: this many values.
        case values(Int32)
        /// It failed; nothing was pushed. The failure's registry
        /// reference is the caller's to release.
        case failed(JobFailure)
    }

    /// The outcome of a finished job. The job is forgotten (a failed one
    /// once its running chunks are back).
    func finish(_ id: UInt32) -> Finished {
        guard let job = jobs[id] else { return .failed(.terminated) }
        if let failure = job.failure {
            job.display?.end(done: progressCount(of: job))
            // The file is free for the next call at once, not when the
            // chunks still running come back.
            job.checkpoint?.close()
            job.failureTaken = true
            job.cancelled = true
            job.releaseInputs(lua)
            dropIfCancelled(job)
            return .failed(failure)
        }
        jobs[id] = nil
        job.display?.end(done: job.itemsDone)
        job.takeResults(lua)
        var count: Int32 = 1
        if job.settings.collect {
            pushFailureList(of: job)
            count = 2
        }
        job.release(lua)
        return .values(count)
    }

    /// Pushes the list of a job's failures, in item order: `{index =,
    /// message =, traceback =, worker =, pid =, kind =, error =}`.
    func pushFailureList(of job: Job) {
        let indices = job.failures.keys.sorted()
        lua.newTable(array: Int32(min(indices.count, 1 << 24)))
        for (n, index) in indices.enumerated() {
            pushFailure(job.failures[index]!, index: index)
            lua.rawSet(lua_Integer(n + 1), of: -2)
        }
    }

    /// Pushes one failure's table.
    func pushFailure(_ failure: ItemFailure, index: Int64) {
        lua.ensureStack(4)
        lua.newTable(hash: 7)
        lua.push(index)
        lua.setField("index", of: -2)
        lua.push(failure.message)
        lua.setField("message", of: -2)
        if let traceback = failure.traceback {
            lua.push(traceback)
            lua.setField("traceback", of: -2)
        }
        lua.push(failure.worker)
        lua.setField("worker", of: -2)
        lua.push(Int(failure.pid))
        lua.setField("pid", of: -2)
        lua.push(failure.kind.rawValue)
        lua.setField("kind", of: -2)
        if let value = failure.value {
            lua.rawGet(lua_Integer(value), of: LuaState.registryIndex)
        } else {
            lua.push(failure.message)
        }
        lua.setField("error", of: -2)
    }

    /// Drops a job whose outcome nobody will collect: forgotten now if it
    /// is done, else once its running chunks are back.
    func cancel(_ id: UInt32) {
        guard let job = jobs[id] else { return }
        job.display?.end(done: job.itemsDone)
        job.checkpoint?.close()
        job.cancelled = true
        // Its chunks not sent are dropped: nothing needs the inputs.
        job.releaseInputs(lua)
        dropIfCancelled(job)
    }
}
