import CLua

extension WorkerPool {
    /// Why a call could not be submitted.
    public enum SubmitError: Error {
        case closed
        /// A value that cannot be sent; the message says what and where.
        case unsendable(String)
    }

    /// Python's default: about four chunks per worker.
    public func defaultChunkSize(for count: Int) -> Int {
        let per = max(1, configuration.processes) * 4
        let (size, extra) = count.quotientAndRemainder(dividingBy: per)
        return max(1, extra > 0 ? size + 1 : size)
    }

    /// Submits calls of the function at stack index `function` over the
    /// items `1...count` of the table at `items` (each an argument, or
    /// with `tuples` an argument list). The function is encoded once.
    public func submit(function: Int32, items: Int32, count: Int, tuples: Bool,
                       chunkSize: Int?) throws(SubmitError) -> UInt32 {
        guard state == .running else { throw .closed }
        let function = lua.absoluteIndex(function)
        let items = lua.absoluteIndex(items)
        var functionBytes: [UInt8] = []
        lua.pushValue(at: function)
        defer { lua.pop() }
        do { try Wire.encode(lua, count: 1, into: &functionBytes) } catch {
            throw .unsendable(error.message)
        }
        let size = chunkSize ?? defaultChunkSize(for: count)
        var chunks: [Job.Chunk] = []
        var first = 1
        while first <= count {
            let n = min(size, count - first + 1)
            lua.newTable(array: Int32(n), hash: 0)
            for i in 0..<n {
                lua.rawGet(lua_Integer(first + i), of: items)
                lua.rawSet(lua_Integer(i + 1), of: -2)
            }
            var bytes: [UInt8] = []
            do { try Wire.encode(lua, count: 1, into: &bytes) } catch {
                lua.pop()
                throw .unsendable(error.message)
            }
            lua.pop()
            chunks.append(Job.Chunk(first: Int64(first), size: n, items: bytes))
            first += n
        }
        lua.newTable(array: Int32(min(count, 1 << 24)), hash: 1)
        lua.push(count)
        lua.setField("n", of: -2)
        let results = luaL_ref(lua.L, LuaState.registryIndex)
        let id = nextJobID
        nextJobID &+= 1
        jobs[id] = Job(id: id, function: functionBytes, tuples: tuples, seed: configuration.seed,
                       count: count, chunks: chunks, results: results)
        queue.append(contentsOf: chunks.indices.map { (id, $0) })
        return id
    }

    /// Whether every chunk of the job is back (or the job failed and its
    /// running chunks are back).
    public func isReady(_ id: UInt32) -> Bool {
        jobs[id]?.isReady ?? true
    }

    /// The outcome of a finished job: pushes the results table, or returns
    /// the failure after pushing nothing. The job is forgotten.
    func finish(_ id: UInt32) -> JobFailure? {
        guard let job = jobs.removeValue(forKey: id) else { return nil }
        defer { luaL_unref(lua.L, LuaState.registryIndex, job.results) }
        if let failure = job.failure { return failure }
        lua.rawGet(lua_Integer(job.results), of: LuaState.registryIndex)
        return nil
    }
}
