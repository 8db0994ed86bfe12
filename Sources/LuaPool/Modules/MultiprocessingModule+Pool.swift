import CLua
import Glibc

// `mp.Pool(...)`, `mp.cpu_count()`, `mp.current_process()`.

extension MultiprocessingModule {
    /// `Pool()`, `Pool(n)` or `Pool{processes =, initializer =, initargs =,
    /// maxtasksperchild =, seed =, start =}`, with the defaults of its
    /// calls (`chunksize =, progress =, errors =, retries =, timeout =,
    /// memory =`): a new pool, its workers forked now.
    static let pool: LuaSwiftFunction = { L in
        luaFunction(L, name: "Pool") { lua throws(LuaRaise) in
            if ProcessIdentity.current.isWorker {
                throw lua.failure("a pool cannot be created inside a pool worker (\(ProcessIdentity.current.name))")
            }
            try lua.checkNoArguments(from: 2)
            // Pools that became garbage let their workers go first (under
            // MPI, the job's workers they held).
            PoolObject.collectGarbagePools(lua)
            let configuration = try readPoolArguments(lua)
            do {
                let workers = try WorkerPool(lua, configuration)
                PoolObject(workers: workers, configuration: configuration).push(onto: lua)
            } catch {
                for ref in [configuration.initializer, configuration.initArguments] {
                    if let ref { luaL_unref(lua.L, LuaState.registryIndex, ref) }
                }
                throw lua.failure("cannot start the pool's workers: \(error)")
            }
            return 1
        }
    }

    /// `cpu_count()`: the CPUs this process may run on.
    static let cpuCount: LuaSwiftFunction = { L in
        luaFunction(L) { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 1)
            lua.push(PoolSize.cpuCount())
            return 1
        }
    }

    /// `world()`: where a pool's workers can run. Under MPI: `{mpi = true,
    /// ranks = N, workers = W, free = F, {rank = 1, host = "node-a",
    /// workers = 2, free = 2}, ...}` (one entry per rank with workers:
    /// every rank but 0, which runs the script); without MPI: `{mpi =
    /// false, ranks = 1, workers = W, free = W, {rank = 0, host = ...,
    /// workers = W, free = W}}` with W the default pool's size.
    static let world: LuaSwiftFunction = { L in
        luaFunction(L, name: "world") { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 1)
            var entries: [(rank: Int, host: String, workers: Int, free: Int)]
            if MPIHost.isActive {
                entries = MPIHost.ranks.map { ($0.rank, $0.host, $0.workers, $0.free) }
            } else {
                let size: Int
                switch PoolSize.defaultSize(lua) {
                case .success(let n): size = n
                case .failure(let error): throw lua.failure(error.message)
                }
                entries = [(0, MPILaunch.hostName(), size, size)]
            }
            lua.newTable(array: Int32(entries.count), hash: 4)
            lua.push(MPIHost.isActive)
            lua.setField("mpi", of: -2)
            lua.push(MPIHost.isActive ? MPIHost.size : 1)
            lua.setField("ranks", of: -2)
            lua.push(entries.reduce(0) { $0 + $1.workers })
            lua.setField("workers", of: -2)
            lua.push(entries.reduce(0) { $0 + $1.free })
            lua.setField("free", of: -2)
            for (k, entry) in entries.enumerated() {
                lua.newTable(hash: 4)
                lua.push(entry.rank)
                lua.setField("rank", of: -2)
                lua.push(entry.host)
                lua.setField("host", of: -2)
                lua.push(entry.workers)
                lua.setField("workers", of: -2)
                lua.push(entry.free)
                lua.setField("free", of: -2)
                lua.rawSet(lua_Integer(k + 1), of: -2)
            }
            return 1
        }
    }

    /// `current_process()`: a table with `name` and `pid`.
    static let currentProcess: LuaSwiftFunction = { L in
        luaFunction(L) { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 1)
            pushProcessInfo(lua, name: ProcessIdentity.current.name, pid: getpid())
            return 1
        }
    }
}

/// Reads `Pool`'s arguments. Registry references are taken for the
/// initializer and its arguments.
private func readPoolArguments(_ lua: LuaState) throws(LuaRaise) -> WorkerPool.Configuration {
    var configuration = WorkerPool.Configuration(processes: 0)
    var mpi = true
    switch lua.type(at: 1) {
    case .none, .nil:
        break
    case .number:
        configuration.processes = try readCount(lua, at: 1, what: "number of processes", limit: PoolSize.limit)
    case .table:
        try readOptions(lua, into: &configuration, mpi: &mpi)
    default:
        throw lua.typeFailure(1, expected: "number or table")
    }
    // Under MPI: workers of the job's other ranks, which start fresh
    // (mpi = false: workers of this machine). They are taken last, once
    // nothing else can fail.
    let remote = mpi && MPIHost.isActive
    let asked = configuration.processes == 0 ? nil : configuration.processes
    if remote {
        configuration.start = .spawn
        configuration.processes = asked ?? MPIHost.totalWorkers
    }
    if configuration.processes == 0 {
        switch PoolSize.defaultSize(lua) {
        case .success(let n): configuration.processes = n
        case .failure(let error): throw lua.failure(error.message)
        }
    }
    if configuration.start == .spawn, let function = configuration.initializer {
        // A fresh worker gets its initializer by value.
        lua.pushValue(at: Int32(function))
        if let arguments = configuration.initArguments { lua.pushValue(at: Int32(arguments)) } else { lua.pushNil() }
        do {
            configuration.initializerMessage = try Codec.encode(lua, topValues: 2)
        } catch {
            throw lua.argumentFailure(1, error.message(root: error.valueIndex == 0 ? "initializer" : "initargs"))
        }
        lua.pop(2)
    }
    if let function = configuration.initializer {
        lua.pushValue(at: Int32(function))
        configuration.initializer = luaL_ref(lua.L, LuaState.registryIndex)
    }
    if let arguments = configuration.initArguments {
        lua.pushValue(at: Int32(arguments))
        configuration.initArguments = luaL_ref(lua.L, LuaState.registryIndex)
    }
    if remote, let problem = MPIHost.place(&configuration, processes: asked) {
        for ref in [configuration.initializer, configuration.initArguments] {
            if let ref { luaL_unref(lua.L, LuaState.registryIndex, ref) }
        }
        throw lua.failure(problem)
    }
    return configuration
}

/// The options table at index 1. Initializer and initargs are left as
/// stack indices (of copies pushed here) for the caller to reference.
private func readOptions(_ lua: LuaState, into configuration: inout WorkerPool.Configuration,
                         mpi: inout Bool) throws(LuaRaise) {
    try forEachOption(lua) { key, value throws(LuaRaise) in
        switch key {
        case "mpi":
            guard lua.type(at: value) == .boolean else {
                throw lua.argumentFailure(1, "option 'mpi' must be a boolean, got \(describe(lua, at: value))")
            }
            mpi = lua.toBool(at: value)
        case "processes":
            configuration.processes = try readCount(lua, at: value, what: "option 'processes'", limit: PoolSize.limit)
        case "maxtasksperchild":
            if lua.type(at: value) != .nil {
                configuration.maxTasksPerChild = try readCount(lua, at: value, what: "option 'maxtasksperchild'",
                                                                limit: Int(Int32.max))
            }
        case "start":
            guard lua.type(at: value) == .string, let text = lua.toString(at: value),
                  let method = WorkerPool.StartMethod(rawValue: text) else {
                throw lua.argumentFailure(1, "option 'start' must be 'fork' or 'spawn', got \(describe(lua, at: value))")
            }
            configuration.start = method
        case "seed":
            guard lua.type(at: value) == .number, let seed = integerValue(lua, at: value) else {
                throw lua.argumentFailure(1, "option 'seed' must be an integer, got \(describe(lua, at: value))")
            }
            configuration.seed = Int64(seed)
        case "initializer":
            guard lua.isCallable(at: value) else {
                throw lua.argumentFailure(1, "option 'initializer' must be a function, got \(lua.typeNameForError(at: value))")
            }
            lua.pushValue(at: value)
            lua.insert(at: 2)  // kept below the traversal
            configuration.initializer = 2
            if let arguments = configuration.initArguments { configuration.initArguments = arguments + 1 }
        case "initargs":
            guard lua.type(at: value) == .table else {
                throw lua.argumentFailure(1, "option 'initargs' must be a table, got \(lua.typeNameForError(at: value))")
            }
            lua.pushValue(at: value)
            lua.insert(at: 2)
            configuration.initArguments = 2
            if let function = configuration.initializer { configuration.initializer = function + 1 }
        default:
            // The defaults of the pool's calls: mapping options but a
            // checkpoint.
            if key == "checkpoint" {
                throw lua.argumentFailure(1, "option 'checkpoint' is a call's, not a pool's: each call needs its own file")
            }
            var defaults = CallOptions(chunkSize: configuration.chunkSize, settings: configuration.callDefaults)
            guard try defaults.read(lua, key: key, value: value, kind: .poolDefaults, argument: 1, count: Int.max) else {
                return false
            }
            (configuration.chunkSize, configuration.callDefaults) = (defaults.chunkSize, defaults.settings)
        }
        return true
    }
    if configuration.initArguments != nil, configuration.initializer == nil {
        throw lua.argumentFailure(1, "option 'initargs' needs an 'initializer'")
    }
}

/// A whole number from 1 to `limit` at `index`.
private func readCount(_ lua: LuaState, at index: Int32, what: String, limit: Int) throws(LuaRaise) -> Int {
    guard lua.type(at: index) == .number, let n = integerValue(lua, at: index), n >= 1, n <= limit else {
        throw lua.argumentFailure(1, "\(what) must be a whole number from 1 to \(limit), got \(describe(lua, at: index))")
    }
    return Int(n)
}
