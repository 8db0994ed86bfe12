import CLua
import Glibc

// The methods of a Pool object, as scripts call them: `p:map(f, xs)` or
// `p.map(f, xs)`. Each reads its arguments, submits a job and waits for it
// in `poll(2)` (see WorkerPool.wait), or hands back an AsyncResult or an
// iterator.

extension PoolObject {
    static let methods: [(String, LuaSwiftFunction)] = [
        ("map", { L in poolMethod(L, "map", takes: 3) { call throws(LuaRaise) in try call.map(tuples: false) } }),
        ("starmap", { L in poolMethod(L, "starmap", takes: 3) { call throws(LuaRaise) in try call.map(tuples: true) } }),
        ("imap", { L in poolMethod(L, "imap", takes: 3) { call throws(LuaRaise) in try call.imap(ordered: true) } }),
        ("imap_unordered", { L in
            poolMethod(L, "imap_unordered", takes: 3) { call throws(LuaRaise) in try call.imap(ordered: false) }
        }),
        ("apply", { L in poolMethod(L, "apply", takes: 3) { call throws(LuaRaise) in try call.apply() } }),
        ("apply_async", { L in poolMethod(L, "apply_async", takes: 3) { call throws(LuaRaise) in try call.applyAsync() } }),
        ("map_async", { L in
            poolMethod(L, "map_async", takes: 3) { call throws(LuaRaise) in try call.mapAsync(tuples: false) }
        }),
        ("starmap_async", { L in
            poolMethod(L, "starmap_async", takes: 3) { call throws(LuaRaise) in try call.mapAsync(tuples: true) }
        }),
        ("close", { L in poolMethod(L, "close", takes: 0) { call throws(LuaRaise) in try call.close() } }),
        ("join", { L in poolMethod(L, "join", takes: 0) { call throws(LuaRaise) in try call.join() } }),
        ("terminate", { L in poolMethod(L, "terminate", takes: 0) { call throws(LuaRaise) in try call.terminate() } }),
    ]

    static let metamethods: [(String, LuaSwiftFunction)] = [
        ("__close", closePool),
        ("__tostring", { L in
            luaFunction(L) { lua in
                lua.push(PoolObject.get(lua, at: 1)?.description ?? "Pool(collected)")
                return 1
            }
        }),
    ]

    /// Pushes a new Pool object.
    func push(onto lua: LuaState) {
        push(onto: lua, methods: PoolObject.methods, metamethods: PoolObject.metamethods)
    }
}

/// A pool method's context: the call's arguments and the pool.
struct PoolCall {
    let call: LuaMethodCall
    let pool: PoolObject
    var lua: LuaState { call.lua }

    /// `map(f, xs [, options])`, `starmap(f, tuples [, options])`: the
    /// results table; with `errors = "collect"`, also the list of failures.
    func map(tuples: Bool) throws(LuaRaise) -> Int32 {
        let job = try submitMap(tuples: tuples, kind: .mapping, wholeCall: true)
        try wait(job.workers) { job.workers.isReady(job.id) }
        return try finish(job)
    }

    /// `apply(f [, args [, options]])`: the first result of
    /// `f(table.unpack(args))`.
    func apply() throws(LuaRaise) -> Int32 {
        let job = try submitApply(kind: .apply)
        try wait(job.workers) { job.workers.isReady(job.id) }
        _ = try finish(job)
        lua.rawGet(1, of: -1)
        return 1
    }

    func applyAsync() throws(LuaRaise) -> Int32 {
        let job = try submitApply(kind: .applyAsync)
        AsyncResultObject(workers: job.workers, job: job.id, single: true)
            .push(onto: lua, poolAt: LuaState.upvalueIndex(1), callbacks: job.options)
        return 1
    }

    func mapAsync(tuples: Bool) throws(LuaRaise) -> Int32 {
        let job = try submitMap(tuples: tuples, kind: .mappingAsync, wholeCall: true)
        AsyncResultObject(workers: job.workers, job: job.id, single: false)
            .push(onto: lua, poolAt: LuaState.upvalueIndex(1), callbacks: job.options)
        return 1
    }

    /// `imap(f, xs [, options])`, `imap_unordered(...)`: an iterator for a
    /// generic `for`, with a closing value that drops the job when the loop
    /// is left early.
    func imap(ordered: Bool) throws(LuaRaise) -> Int32 {
        let job = try submitMap(tuples: false, kind: .mapping, chunkDefault: .items(1), wholeCall: false)
        let iterator = PoolIterator(workers: job.workers, job: job.id, ordered: ordered)
        iterator.push(onto: lua, poolAt: LuaState.upvalueIndex(1))
        return 4
    }

    func close() throws(LuaRaise) -> Int32 {
        pool.workers?.close()
        return 0
    }

    /// `join()`: after `close()` or `terminate()`, waits for the submitted
    /// work and the workers' exit.
    func join() throws(LuaRaise) -> Int32 {
        guard let workers = pool.workers, workers.isOwner else { return 0 }
        switch workers.state {
        case .running:
            throw lua.failure("the pool is still running: call close() or terminate() before join()")
        case .closed, .joining:
            try PoolCall.join(lua, pool, workers)
        case .joined, .terminated:
            break
        }
        return 0
    }

    /// Joins a closed pool; Ctrl-C or a failed system call terminates it
    /// instead and raises.
    static func join(_ lua: LuaState, _ pool: PoolObject, _ workers: WorkerPool) throws(LuaRaise) {
        do throws(WorkerPool.WaitError) {
            try workers.join()
        } catch {
            switch error {
            case .busy: throw PoolErrors.busy(lua)
            case .interrupted:
                workers.terminate()
                throw PoolErrors.interrupted(lua)
            case .system(let error):
                workers.terminate()
                throw lua.failure("join: \(error)")
            }
        }
    }

    func terminate() throws(LuaRaise) -> Int32 {
        guard let workers = pool.workers, workers.isOwner else { return 0 }
        // From a finalizer or hook inside a wait: the wait's workers
        // cannot be pulled from under it.
        if WorkerPool.isWaiting { throw PoolErrors.busy(lua) }
        workers.terminate()
        return 0
    }

    // MARK: Submitting

    /// A submitted job and the workers that run it.
    struct Submitted {
        let workers: WorkerPool
        let id: UInt32
        /// The call's options (its callbacks are the caller's to keep or
        /// release).
        var options = CallOptions()
    }

    /// The call's options at argument `index`, over the pool's defaults.
    private func readOptions(at index: Int32, kind: CallKind, count: Int) throws(LuaRaise) -> CallOptions {
        var defaults = CallOptions()
        if let configuration = pool.workers?.configuration ?? pool.configuration {
            (defaults.chunkSize, defaults.settings) = (configuration.chunkSize, configuration.callDefaults)
        }
        var options = try CallOptions.read(lua, at: index, kind: kind, defaults: defaults, count: count)
        if case .items(let n) = options.chunkSize { options.chunkSize = .items(min(n, max(count, 1))) }
        return options
    }

    /// Reads `(f, xs [, options])` and submits the calls. A proxy list
    /// or tuple is sent as a plain copy (see PoolItems). A whole call
    /// (map, not imap) gives all its results or fails as a whole.
    private func submitMap(tuples: Bool, kind: CallKind, chunkDefault: ChunkSize = .auto,
                           wholeCall: Bool) throws(LuaRaise) -> Submitted {
        let function = call.argument(1), items = call.argument(2)
        try checkFunction(at: function)
        guard lua.type(at: items) == .table else { throw lua.typeFailure(items, expected: "table") }
        var list = try PoolItems.read(lua, at: items, limit: PoolItems.itemLimit, argument: items)
        var options = try readOptions(at: call.argument(3), kind: kind, count: list.count)
        var submitted = false
        defer { if !submitted { options.releaseCallbacks(lua) } }
        // nil: chunks by the pool (ChunkSize.auto).
        let chunkSize = (options.chunkSize ?? chunkDefault).items
        // The automatic chunking makes about four chunks per worker.
        let chunks = chunkSize.map { (list.count + $0 - 1) / $0 } ?? min(list.count, 4 * PoolSize.limit)
        try PoolItems.checkRoom(lua, count: list.count, chunks: chunks, copied: list.isProxy, argument: items)
        let copied = list.isProxy
        if copied { list = try PoolItems.pushCopy(lua, of: list) }
        if tuples { list = try PoolItems.plainTuples(lua, list, owned: copied, argument: items) }
        let workers = try pool.running(lua)
        if options.settings.progress == nil {
            do { options.settings.progress = try ScriptDefaults.progressMode() } catch { throw lua.failure(error.message) }
        }
        let settings = options.settings
        var job = try submit(workers) { () throws(WorkerPool.SubmitError) in
            try workers.submit(function: function, items: list.index, count: list.count, tuples: tuples,
                               chunkSize: chunkSize, wholeCall: wholeCall, settings: settings)
        }
        submitted = true
        job.options = options
        return job
    }

    /// Reads `(f [, args [, options]])` and submits the one call. Proxy
    /// arguments are sent as a plain copy.
    private func submitApply(kind: CallKind) throws(LuaRaise) -> Submitted {
        let function = call.argument(1), arguments = call.argument(2)
        try checkFunction(at: function)
        let options = try readOptions(at: call.argument(3), kind: kind, count: 1)
        var submitted = false
        defer { if !submitted { options.releaseCallbacks(lua) } }
        switch lua.type(at: arguments) {
        case .none, .nil:
            lua.newTable()
        case .table:
            let list = try PoolItems.read(lua, at: arguments, limit: PoolItems.argumentLimit, argument: arguments)
            if list.isProxy {
                _ = try PoolItems.pushCopy(lua, of: list)
            } else {
                lua.pushValue(at: arguments)
            }
        default:
            throw lua.typeFailure(arguments, expected: "table")
        }
        lua.newTable(array: 1)
        lua.insert(at: -2)
        lua.rawSet(1, of: -2)
        let items = lua.top
        let workers = try pool.running(lua)
        // One task: progress, errors, retries and checkpoints are the
        // mapping calls'.
        var settings = CallSettings()
        (settings.timeout, settings.memory, settings.progress) = (options.settings.timeout, options.settings.memory, .off)
        settings.retries = options.settings.retries
        var job = try submit(workers) { () throws(WorkerPool.SubmitError) in
            try workers.submit(function: function, items: items, count: 1, tuples: true, chunkSize: 1,
                               settings: settings)
        }
        submitted = true
        job.options = options
        lua.pop()
        return job
    }

    private func submit(_ workers: WorkerPool,
                        _ body: () throws(WorkerPool.SubmitError) -> UInt32) throws(LuaRaise) -> Submitted {
        do {
            let id = try body()
            workers.dispatch()
            return Submitted(workers: workers, id: id)
        } catch {
            switch error {
            case .closed: throw lua.failure("the pool is closed")
            case .terminated: throw lua.failure("the pool was terminated")
            case .broken(let reason):
                lua.push(reason)
                throw LuaRaise()
            case .unsendable(let message): throw lua.failure(message)
            case .checkpoint(let message): throw lua.failure(message)
            }
        }
    }

    /// A function, or a value with a `__call` metamethod.
    private func checkFunction(at index: Int32) throws(LuaRaise) {
        guard lua.isCallable(at: index) else { throw lua.typeFailure(index, expected: "function") }
    }

    // MARK: Waiting

    /// Waits until `done()`; Ctrl-C raises `interrupted`.
    func wait(_ workers: WorkerPool, timeout: Double? = nil, _ done: () -> Bool) throws(LuaRaise) {
        _ = try PoolCall.wait(lua, pool, workers, timeout: timeout, done)
    }

    static func wait(_ lua: LuaState, _ pool: PoolObject?, _ workers: WorkerPool, timeout: Double? = nil,
                     _ done: () -> Bool) throws(LuaRaise) -> Bool {
        do throws(WorkerPool.WaitError) {
            return try workers.wait(timeout: timeout, until: done)
        } catch {
            switch error {
            case .busy:
                throw PoolErrors.busy(lua)
            case .interrupted:
                throw PoolErrors.interrupted(lua)
            case .system(let error):
                throw lua.failure("waiting for the pool's workers: \(error)")
            }
        }
    }

    /// Pushes the results table of a finished job (and, with errors =
    /// "collect", the list of failures) and returns how many values it
    /// pushed, or raises its failure.
    private func finish(_ job: Submitted) throws(LuaRaise) -> Int32 {
        switch job.workers.finish(job.id) {
        case .failed(let failure): throw PoolErrors.raise(failure, lua, release: true)
        case .values(let count): return count
        }
    }
}

/// Runs a bound Pool method that takes `count` arguments (the pool not
/// counted); more are refused.
private func poolMethod(_ L: OpaquePointer?, _ name: String, takes count: Int32,
                        _ body: (PoolCall) throws(LuaRaise) -> Int32) -> Int32 {
    boundMethod(L, name, PoolObject.self, collected: "the pool was collected") { pool, call throws(LuaRaise) in
        try call.checkNoArguments(after: count)
        return try PendingCallbacks.around(call.lua) { () throws(LuaRaise) in try body(PoolCall(call: call, pool: pool)) }
    }
}

/// `__close(p, err)`: close and join on a normal exit, terminate when the
/// scope is left by an error.
private let closePool: LuaSwiftFunction = { L in
    luaFunction(L) { lua throws(LuaRaise) in
        guard let pool = PoolObject.get(lua, at: 1), let workers = pool.workers, workers.isOwner else { return 0 }
        if lua.type(at: 2) != .nil && lua.type(at: 2) != .none {
            if WorkerPool.isWaiting { throw PoolErrors.busy(lua) }
            workers.terminate()
            return 0
        }
        workers.close()
        try PoolCall.join(lua, pool, workers)
        return 0
    }
}
