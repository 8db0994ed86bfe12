import CLua
import CSystem
import Glibc

/// A pool as Lua sees it: the object behind `mp.Pool(...)` and behind the
/// global `pool`, which starts its workers at its first use and starts
/// fresh ones after `join` or `terminate`.
final class PoolObject: LuaObject {
    static let typeName = "Pool"

    /// The workers; nil until the default pool's first use.
    var workers: WorkerPool?
    /// How to start the workers: nil for the default pool, whose size is
    /// read at its first use.
    let configuration: WorkerPool.Configuration?

    init(workers: WorkerPool?, configuration: WorkerPool.Configuration?) {
        self.workers = workers
        self.configuration = configuration
    }

    var isDefault: Bool { configuration == nil }

    func finalize(_ lua: LuaState) {
        if let workers, workers.isOwner { workers.release() }
        workers = nil
        if let configuration {
            for ref in [configuration.initializer, configuration.initArguments] {
                if let ref { luaL_unref(lua.L, LuaState.registryIndex, ref) }
            }
        }
    }

    /// The workers to run a call on, started if this is the default pool
    /// and it has none (or they were joined or terminated).
    func running(_ lua: LuaState) throws(LuaRaise) -> WorkerPool {
        if ProcessIdentity.current.isWorker {
            throw lua.failure("a pool cannot be used inside a pool worker (\(ProcessIdentity.current.name))")
        }
        if WorkerPool.isWaiting { throw PoolErrors.busy(lua) }
        if let workers, !workers.isOwner {
            // Inherited across a fork: the workers are the parent's.
            guard isDefault else {
                throw lua.failure("this pool belongs to process \(workers.owner); create a new one here")
            }
            self.workers = nil
        }
        if let workers, !(isDefault && (workers.state == .joined || workers.state == .terminated)) {
            return workers
        }
        PoolObject.collectGarbagePools(lua)
        var configuration = WorkerPool.Configuration(processes: 0)
        switch PoolSize.defaultSeed(lua) {
        case .success(let seed): configuration.seed = seed
        case .failure(let error): throw lua.failure(error.message)
        }
        if MPIHost.isActive {
            // Under MPI: every worker of every rank.
            if let problem = MPIHost.place(&configuration, processes: nil) {
                throw lua.failure("cannot start the default pool: \(problem)")
            }
        } else {
            switch PoolSize.defaultSize(lua) {
            case .success(let n): configuration.processes = n
            case .failure(let error): throw lua.failure(error.message)
            }
        }
        do {
            let started = try WorkerPool(lua, configuration)
            // Started again after join or terminate: the calls go on
            // counting, so no seeded stream is used twice.
            started.callsAccepted = workers?.callsAccepted ?? 0
            workers = started
            return started
        } catch {
            throw lua.failure("cannot start the pool's workers: \(error)")
        }
    }

    /// Before a pool starts while other pools of this process are neither
    /// joined nor terminated: a full collection, so that pools which
    /// became garbage without being closed let their workers go instead
    /// of piling up (a loop making pools would otherwise hold thousands).
    static func collectGarbagePools(_ lua: LuaState) {
        if WorkerPool.unfinishedCount > 0 { clua_collect(lua.L) }
    }

    /// `Pool(2 processes, running)`
    var description: String {
        guard let workers else {
            return "Pool(default, not started)"
        }
        let state: String
        if workers.broken != nil {
            state = "broken"
        } else {
            switch workers.state {
            case .running: state = "running"
            case .closed: state = "closed"
            case .joining, .joined: state = "joined"
            case .terminated: state = "terminated"
            }
        }
        let n = workers.configuration.processes
        return "Pool(\(n) process\(n == 1 ? "" : "es"), \(state))"
    }
}

/// The size of the default pool, and of `mp.Pool()` without one.
enum PoolSize {
    static let limit = 4096

    struct SizeError: Error {
        let message: String
    }

    /// `-j N` / `--workers N`, else `LUAPOOL_WORKERS`, else the CPUs this
    /// process may run on.
    static func defaultSize(_ lua: LuaState) -> Result<Int, SizeError> {
        if let n = DefaultPoolSize.get(in: lua) { return .success(n) }
        if let raw = getenv("LUAPOOL_WORKERS") {
            let text = String(cString: raw)
            let trimmed = text.trimmingBlanks()
            guard let n = Int(trimmed), n >= 1, n <= limit else {
                return .failure(SizeError(message:
                    "LUAPOOL_WORKERS must be a whole number from 1 to \(limit), got '\(text)'"))
            }
            return .success(n)
        }
        return .success(cpuCount())
    }

    /// The default pool's seed: `--seed N`, else `LUAPOOL_SEED`, else none.
    static func defaultSeed(_ lua: LuaState) -> Result<Int64?, SizeError> {
        if let seed = DefaultPoolSize.seed(in: lua) { return .success(seed) }
        guard let raw = getenv("LUAPOOL_SEED") else { return .success(nil) }
        let text = String(cString: raw)
        guard let seed = Int64(text.trimmingBlanks()) else {
            return .failure(SizeError(message: "LUAPOOL_SEED must be an integer, got '\(text)'"))
        }
        return .success(seed)
    }

    /// The number of CPUs this process may run on (`sched_getaffinity`),
    /// at least 1.
    static func cpuCount() -> Int {
        let n = Int(csystem_cpu_count())
        if n > 0 { return n }
        return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingBlanks() -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" }
        guard let first = firstIndex(where: { !blank($0) }),
              let last = lastIndex(where: { !blank($0) }) else { return "" }
        return self[first...last]
    }
}
