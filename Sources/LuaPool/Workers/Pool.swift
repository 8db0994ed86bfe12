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

    public enum State { case running, closed, joining, joined, terminated }

    let lua: LuaState
    let configuration: Configuration
    public internal(set) var state = State.running
    var slots: [WorkerSlot] = []
    var jobs = JobTable()
    /// Chunks waiting for a worker, oldest first.
    var queue: [(job: UInt32, chunk: Int)] = []
    var queueHead = 0
    var nextJobID: UInt32 = 1
    /// One shared word per slot, where its worker writes the input index of
    /// the item it is running.
    let progress: UnsafeMutablePointer<Int64>
    /// The process that started the pool.
    let owner = getpid()
    /// Why the pool cannot run work any more: its initializer failed.
    public internal(set) var broken: String?

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
        for job in jobs.values { job.release(lua) }
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
        let identity = ProcessIdentity.current.child(named: "PoolWorker-\(number)", isWorker: true)
        let pid: pid_t
        do {
            pid = try Fork.spawn(lua, closing: [host], interrupt: .ignore) {
                ProcessIdentity.current = identity
                // Tasks run in a thread of their own, so their tracebacks
                // end at the task instead of going on into the host's
                // frames the fork copied.
                let thread = lua.newThread()
                let loop = WorkerLoop(lua: thread, socket: child, progress: progressWord,
                                      maxTasks: config.maxTasksPerChild)
                guard loop.initialize(function: config.initializer, arguments: config.initArguments) else {
                    return 1
                }
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
        WorkerPool.track(pid)
        let slot = WorkerSlot(index: index, number: number, pid: pid, socket: host)
        slot.started = config.initializer == nil
        return slot
    }

    /// Stops accepting work; the workers leave once the submitted work is
    /// done and ``join()`` is called.
    public func close() {
        if state == .running { state = .closed }
    }

    /// Waits for the submitted work (calls still running, async results
    /// not yet collected), then lets every worker leave and reaps it.
    /// The pool must be closed first. Ctrl-C stops the wait.
    public func join() throws(WaitError) {
        guard state == .closed else { return }
        _ = try wait { jobs.values.allSatisfy { $0.isReady || $0.cancelled } }
        state = .joining
        for slot in slots where slot.pid > 0 {
            // A worker still on work nobody waits for is not waited for.
            if !slot.inFlight.isEmpty { kill(slot.pid, SIGKILL) }
            // End of file on its socket: the worker's loop returns.
            shutdown(slot.socket.raw, Int32(SHUT_WR))
        }
        _ = try wait { slots.allSatisfy { $0.pid <= 0 } }
        state = .joined
    }

    /// Kills every worker now (SIGKILL) and reaps them; unfinished calls
    /// fail.
    public func terminate() {
        guard state != .terminated, isOwner else { return }
        state = .terminated
        for slot in slots where slot.pid > 0 {
            kill(slot.pid, SIGKILL)
        }
        for slot in slots where slot.pid > 0 {
            retire(slot)
            _ = reap(slot.pid)
            WorkerPool.untrack(slot.pid)
            slot.pid = 0
            slot.clear()
        }
        for job in jobs.values where job.failure == nil && !job.isReady {
            job.failure = .terminated
        }
        for job in jobs.values {
            job.outstanding = 0
        }
        queue.removeAll()
        queueHead = 0
    }

    /// Closes a slot's socket and forgets it as a host descriptor.
    func retire(_ slot: WorkerSlot) {
        guard slot.socket.raw >= 0 else { return }
        Fork.hostDescriptors.remove(slot.socket.raw)
        slot.socket.close()
        slot.socket = FileDescriptor(-1)
    }

    /// Whether this process started the pool (a forked child inherits the
    /// object but not the workers).
    public var isOwner: Bool { getpid() == owner }

    // MARK: Every worker of the process, for the exit handler

    nonisolated(unsafe) private static var live: Set<pid_t> = []
    nonisolated(unsafe) private static var exitHandlerInstalled = false

    static func track(_ pid: pid_t) {
        live.insert(pid)
        if !exitHandlerInstalled {
            exitHandlerInstalled = true
            atexit { WorkerPool.endAll() }
        }
    }

    static func untrack(_ pid: pid_t) {
        live.remove(pid)
    }

    /// In a new child: the workers it inherited the list of are not its own.
    static func forgetAll() {
        live.removeAll()
    }

    /// At exit: no worker outlives the host. Each is killed and reaped.
    static func endAll() {
        for pid in live { kill(pid, SIGKILL) }
        for pid in live { _ = reap(pid) }
        live.removeAll()
    }
}

/// The host's view of one worker.
final class WorkerSlot {
    let index: Int
    var number: Int
    var pid: pid_t
    var socket: FileDescriptor
    var reader = WorkerSlot.makeReader()
    var output: [UInt8] = []
    var outputSent = 0
    /// Chunks sent and not answered, oldest (the running one) first.
    var inFlight: [(job: UInt32, chunk: Int)] = []
    /// The job whose function this worker holds.
    var loadedJob: UInt32?
    /// The worker said it is leaving (maxtasksperchild).
    var retiring = false
    /// The worker's initializer ran (always true without one).
    var started = true

    init(index: Int, number: Int, pid: pid_t, socket: FileDescriptor) {
        (self.index, self.number, self.pid, self.socket) = (index, number, pid, socket)
    }

    var name: String { "PoolWorker-\(number)" }

    /// The reader of a worker's answers: it keeps a buffer of up to 4 MiB
    /// between answers, so large answers in a row do not each allocate.
    static func makeReader() -> FrameReader { FrameReader(keptCapacity: 1 << 22) }

    /// Forgets everything about the worker that was in the slot.
    func clear() {
        inFlight.removeAll()
        reader = WorkerSlot.makeReader()
        output.removeAll()
        outputSent = 0
        loadedJob = nil
    }
}
