import CLua
import Glibc

/// A pool of forked worker processes, each running the interpreter it
/// inherited from the host. The host side: it starts and replaces workers,
/// cuts calls into chunks, and waits for answers in `poll(2)` — no threads.
public final class WorkerPool {
    public struct Configuration {
        public var processes: Int
        /// A worker leaves after this many chunks and is replaced.
        public var maxTasksPerChild: Int?
        /// With a seed S, item i runs after `math.randomseed(S, i)`.
        public var seed: Int64?
        /// Registry reference of a function each new worker calls first.
        public var initializer: Int32?
        /// Registry reference of the table of its arguments.
        public var initArguments: Int32?

        public init(processes: Int) {
            self.processes = processes
        }
    }

    public enum State { case running, closed, terminated }

    let lua: LuaState
    let configuration: Configuration
    public internal(set) var state = State.running
    var slots: [WorkerSlot] = []
    var jobs: [UInt32: Job] = [:]
    /// Chunks waiting for a worker, oldest first.
    var queue: [(job: UInt32, chunk: Int)] = []
    var queueHead = 0
    var nextJobID: UInt32 = 1
    /// One shared word per slot, where its worker writes the input index of
    /// the item it is running.
    let progress: UnsafeMutablePointer<Int64>

    /// Names are `PoolWorker-N`, N rising across every pool of the process.
    nonisolated(unsafe) static var workersStarted = 0

    /// Starts `configuration.processes` workers.
    public init(_ lua: LuaState, _ configuration: Configuration) throws(SystemError) {
        self.lua = lua
        self.configuration = configuration
        let bytes = max(1, configuration.processes) * MemoryLayout<Int64>.stride
        guard let page = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              page != MAP_FAILED else { throw SystemError("mmap") }
        progress = page.bindMemory(to: Int64.self, capacity: configuration.processes)
        for i in 0..<configuration.processes {
            slots.append(try spawnWorker(slot: i))
        }
    }

    deinit {
        terminate()
        munmap(progress, max(1, configuration.processes) * MemoryLayout<Int64>.stride)
    }

    /// The pids of the live workers.
    public var pids: [pid_t] { slots.compactMap { $0.pid > 0 ? $0.pid : nil } }

    /// Forks the worker for slot `index`.
    func spawnWorker(slot index: Int) throws(SystemError) -> WorkerSlot {
        let (host, child) = try FileDescriptor.socketPair()
        WorkerPool.workersStarted += 1
        let number = WorkerPool.workersStarted
        let progressWord = progress + index
        progressWord.pointee = 0
        let config = configuration
        let pid: pid_t
        do {
            pid = try Fork.spawn(lua, closing: [host], interrupt: .ignore) {
                ProcessIdentity.current = ProcessIdentity(name: "PoolWorker-\(number)", isWorker: true)
                guard WorkerPool.runInitializer(lua, config) else { return 1 }
                let loop = WorkerLoop(lua: lua, socket: child, progress: progressWord,
                                      maxTasks: config.maxTasksPerChild)
                return loop.run()
            }
        } catch {
            host.close()
            child.close()
            throw error
        }
        child.close()
        try host.setNonBlocking(true)
        Fork.hostDescriptors.insert(host.raw)
        return WorkerSlot(index: index, number: number, pid: pid, socket: host)
    }

    /// Calls the initializer in a new worker; false (after printing the
    /// error) when it fails.
    static func runInitializer(_ lua: LuaState, _ config: Configuration) -> Bool {
        guard let function = config.initializer else { return true }
        lua.rawGet(lua_Integer(function), of: LuaState.registryIndex)
        var count: Int32 = 0
        if let arguments = config.initArguments {
            lua.rawGet(lua_Integer(arguments), of: LuaState.registryIndex)
            let table = lua.top
            let n = lua.rawLength(at: table)
            lua.ensureStack(Int32(min(n, 8000)) + 1)
            for i in 1...max(n, 1) where n > 0 { lua.rawGet(lua_Integer(i), of: table) }
            lua.remove(at: table)
            count = Int32(n)
        }
        do {
            try lua.call(arguments: count, results: 0)
            return true
        } catch {
            fputs("luapool: initializer failed in \(ProcessIdentity.current.name): \(error.description)\n", stderr)
            return false
        }
    }

    /// Stops accepting work; the workers leave once the submitted work is
    /// done (see ``join()``).
    public func close() {
        if state == .running { state = .closed }
    }

    /// Kills every worker now (SIGKILL) and reaps them; pending calls fail.
    public func terminate() {
        guard state != .terminated else { return }
        state = .terminated
        for slot in slots where slot.pid > 0 {
            kill(slot.pid, SIGKILL)
        }
        for slot in slots where slot.pid > 0 {
            retire(slot)
            _ = reap(slot.pid)
            slot.pid = 0
        }
        for job in jobs.values where job.failure == nil {
            job.failure = .interrupted
        }
    }

    /// Closes a slot's socket and forgets it as a host descriptor.
    func retire(_ slot: WorkerSlot) {
        guard slot.socket.raw >= 0 else { return }
        Fork.hostDescriptors.remove(slot.socket.raw)
        slot.socket.close()
        slot.socket = FileDescriptor(-1)
    }
}

/// The host's view of one worker.
final class WorkerSlot {
    let index: Int
    var number: Int
    var pid: pid_t
    var socket: FileDescriptor
    var reader = FrameReader()
    var output: [UInt8] = []
    var outputSent = 0
    /// Chunks sent and not answered, oldest (the running one) first.
    var inFlight: [(job: UInt32, chunk: Int)] = []
    /// The job whose function this worker holds.
    var loadedJob: UInt32?
    /// The worker said it is leaving (maxtasksperchild).
    var retiring = false

    init(index: Int, number: Int, pid: pid_t, socket: FileDescriptor) {
        (self.index, self.number, self.pid, self.socket) = (index, number, pid, socket)
    }

    var name: String { "PoolWorker-\(number)" }

    /// Forgets everything about the worker that was in the slot.
    func clear() {
        inFlight.removeAll()
        reader = FrameReader()
        output.removeAll()
        outputSent = 0
        loadedJob = nil
    }
}

/// Who this process is, for `current_process()`.
public struct ProcessIdentity {
    public let name: String
    public let isWorker: Bool

    nonisolated(unsafe) public static var current = ProcessIdentity(name: "MainProcess", isWorker: false)
}
