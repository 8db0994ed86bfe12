import CLua

/// The iterator `imap` and `imap_unordered` return, for a generic `for`:
///
///     for i, v in p:imap(f, xs) do ... end
///
/// `i` is the input index. `imap` gives the items in input order, each as
/// soon as it and those before it are back; `imap_unordered` gives them as
/// they arrive. The object is also the loop's closing value: leaving the
/// loop early drops the rest of the work.
final class PoolIterator: LuaObject {
    static let typeName = "PoolIterator"

    let workers: WorkerPool
    let job: UInt32
    let ordered: Bool
    /// imap: the next input index to give.
    private var next: Int64 = 1
    /// imap_unordered: how many arrived chunks were given out, and how far
    /// into the current one.
    private var arrivalsTaken = 0
    private var offset = 0
    private var given = 0
    private var finished = false

    init(workers: WorkerPool, job: UInt32, ordered: Bool) {
        (self.workers, self.job, self.ordered) = (workers, job, ordered)
    }

    /// Pushes the iterator function, nil, nil and the closing value; the
    /// Pool object at `pool` is kept alive with it, so a pool made for the
    /// loop alone (`mp.Pool(2):imap(...)`) is not collected under it.
    func push(onto lua: LuaState, poolAt pool: Int32) {
        lua.pushValue(at: pool)
        push(onto: lua, methods: [], metamethods: [("__close", closeIterator)], fields: ["pool"])
        lua.pushValue(at: -1)
        lua.pushFunction(step, upvalues: 1)
        lua.insert(at: -2)
        lua.pushNil()
        lua.insert(at: -2)
        lua.pushNil()
        lua.insert(at: -2)
    }

    func finalize(_ lua: LuaState) {
        end()
    }

    /// Drops the job if it is not finished.
    func end() {
        guard !finished else { return }
        finished = true
        workers.cancel(job)
    }

    /// Pushes the next `i, v` and returns 2 (with errors = "collect", `i,
    /// nil, failure` for a failed item: 3), or returns 0 at the end.
    fileprivate func advance(_ lua: LuaState) throws(LuaRaise) -> Int32 {
        guard !finished, let job = workers.job(job) else { return 0 }
        guard given < job.count else {
            finish(lua)
            return 0
        }
        let index = try nextItem(lua, job)
        lua.push(index)
        job.pushResults(lua)
        lua.rawGet(lua_Integer(index), of: -1)
        // The iterator hands each value out once: the table lets it go.
        lua.pushNil()
        lua.rawSet(lua_Integer(index), of: -3)
        lua.remove(at: -2)
        given += 1
        if job.settings.collect, let failure = job.failures[index] {
            workers.pushFailure(failure, index: index)
            return 3
        }
        return 2
    }

    /// Waits for the next item to give: its input index. Raises
    /// the job's failure when the item cannot come (its chunk failed, or
    /// was dropped after another one failed).
    private func nextItem(_ lua: LuaState, _ job: Job) throws(LuaRaise) -> Int64 {
        if ordered {
            // The chunk holding the item may change while it waits: one
            // a worker died in gives way to new ones (retries, collect).
            try wait(lua, job) { job.chunks[job.chunk(holding: next)].done }
            let chunk = job.chunks[job.chunk(holding: next)]
            guard chunk.done, usable(chunk, job) else { throw failure(lua) }
            defer { next += 1 }
            return next
        }
        if arrivalsTaken < job.arrivals.count,
           offset >= job.chunks[Int(job.arrivals[arrivalsTaken])].size {
            arrivalsTaken += 1
            offset = 0
        }
        try wait(lua, job) { arrivalsTaken < job.arrivals.count }
        guard arrivalsTaken < job.arrivals.count else { throw failure(lua) }
        let chunk = Int(job.arrivals[arrivalsTaken])
        guard usable(job.chunks[chunk], job) else { throw failure(lua) }
        defer { offset += 1 }
        return job.chunks[chunk].first + Int64(offset)
    }

    /// Whether the items of an answered chunk can be given: it did not
    /// fail, or its failures are collected and the call goes on.
    private func usable(_ chunk: Job.Chunk, _ job: Job) -> Bool {
        !chunk.failed || (job.settings.collect && job.failure == nil)
    }

    /// Waits until `ready()` or until nothing of the job is outstanding.
    private func wait(_ lua: LuaState, _ job: Job, _ ready: () -> Bool) throws(LuaRaise) {
        guard !ready(), !job.isReady else { return }
        _ = try PoolCall.wait(lua, nil, workers) { ready() || job.isReady }
    }

    /// The job's failure, to raise; the iterator ends.
    private func failure(_ lua: LuaState) -> LuaRaise {
        finished = true
        switch workers.finish(job) {
        case .failed(let failure):
            return PoolErrors.raise(failure, lua, release: true)
        case .values(let count):
            lua.pop(count)
            return lua.failure("the pool was terminated")
        }
    }

    private func finish(_ lua: LuaState) {
        finished = true
        if case .values(let count) = workers.finish(job) { lua.pop(count) }
    }
}

/// The iterator function: its upvalue is the PoolIterator.
private let step: LuaSwiftFunction = { L in
    luaFunction(L) { lua throws(LuaRaise) in
        guard let iterator = PoolIterator.get(lua, at: LuaState.upvalueIndex(1)) else { return 0 }
        return try PendingCallbacks.around(lua) { () throws(LuaRaise) in try iterator.advance(lua) }
    }
}

/// `__close`: the loop was left (at its end, by `break` or by an error).
private let closeIterator: LuaSwiftFunction = { L in
    luaFunction(L) { lua in
        PoolIterator.get(lua, at: 1)?.end()
        return 0
    }
}
