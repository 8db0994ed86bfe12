import CLua
import CSystem
import Glibc

/// A pool of forked worker processes, each running the interpreter it
/// inherited from the host. The host side: it starts and replaces workers,
/// cuts calls into chunks, and waits for answers in `poll(2)` — no threads.
public final class WorkerPool {
    public struct Configuration {
        public var processes: Int
        /// A worker leaves after this many chunks and is replaced.
        public var maxTasksPerChild: Int?
        /// With a seed S, item i of the pool's k-th call (from 0) runs
        /// after `math.randomseed(S, k * 2^32 + i)`.
        public var seed: Int64?
        /// Registry reference of a function each new worker calls first.
        public var initializer: Int32?
        /// Registry reference of the table of its arguments.
        public var initArguments: Int32?
        /// How workers start: forked with the script's interpreter, or
        /// fresh (see FreshState).
        public var start = StartMethod.fork
        /// With `spawn`: the codec message of the initializer and its
        /// arguments, which a fresh worker decodes.
        public var initializerMessage: [UInt8]?
        /// The pool's defaults for its calls (`mp.Pool{timeout = 5, ...}`).
        public var callDefaults = CallSettings()
        /// The pool's default chunksize (a number: at most each call's
        /// item count); nil: each call's own default.
        public var chunkSize: ChunkSize?
        /// Under MPI: the rank of each worker (the pool holds these
        /// workers of the job until it ends); nil: local workers.
        public var ranks: [Int]?

        public init(processes: Int) {
            self.processes = processes
        }
    }

    public enum State { case running, closed, joining, joined, terminated }

    /// How a pool's workers start.
    public enum StartMethod: String {
        /// A fork that keeps the script's interpreter as it was.
        case fork
        /// A fork that builds a new interpreter (FreshState).
        case spawn
    }

    let lua: LuaState
    let configuration: Configuration
    public internal(set) var state = State.running
    var slots: [WorkerSlot] = []
    var jobs = JobTable()
    /// Chunks waiting for a worker, oldest first.
    var queue: [(job: UInt32, chunk: Int)] = []
    var queueHead = 0
    var nextJobID: UInt32 = 1
    /// How long an item took in a worker, in nanoseconds, by function
    /// (``timingKey(of:)``): default chunks are sized by it.
    var itemNanos: [Int: Int64] = [:]
    /// One shared record per slot, where its worker writes which chunk it
    /// started last and which item it runs.
    let progress: UnsafeMutablePointer<WorkerProgress>
    /// The process that started the pool.
    let owner = getpid()
    /// Why the pool cannot run work any more: its initializer failed.
    public internal(set) var broken: String?
    /// Why the last worker start failed, until it is reported.
    var lastStartFailure: SystemError?
    /// Under MPI: the workers this pool held were given back.
    var seatsReleased = false
    /// The calls the pool accepted: with a seed S, item i of call k runs
    /// after `math.randomseed(S, k * 2^32 + i)`.
    public internal(set) var callsAccepted: Int64 = 0

    /// Names are `PoolWorker-N`, N rising across every pool of the process.
    nonisolated(unsafe) static var workersStarted = 0

    /// Starts `configuration.processes` workers.
    public init(_ lua: LuaState, _ configuration: Configuration) throws(SystemError) {
        self.lua = lua
        self.configuration = configuration
        guard let page = mmap(nil, WorkerPool.progressBytes(configuration), PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              page != MAP_FAILED else { throw SystemError("mmap") }
        progress = page.bindMemory(to: WorkerProgress.self, capacity: configuration.processes)
        do {
            for i in 0..<configuration.processes {
                slots.append(try spawnWorker(slot: i))
            }
        } catch {
            // deinit unmaps the progress records
            terminate()
            throw error
        }
        WorkerPool.register(self)
    }

    deinit {
        // Nothing else holds the pool, a wait included: at once.
        releaseNow()
        releaseSeats()
        for job in jobs.values { job.release(lua) }
        munmap(progress, WorkerPool.progressBytes(configuration))
    }

    private static func progressBytes(_ configuration: Configuration) -> Int {
        max(1, configuration.processes) * MemoryLayout<WorkerProgress>.stride
    }

    /// The pids of the live workers.
    public var pids: [pid_t] { slots.compactMap { $0.pid > 0 ? $0.pid : nil } }

    /// Forks the worker for slot `index` (under MPI, has its rank start
    /// it).
    func spawnWorker(slot index: Int) throws(SystemError) -> WorkerSlot {
        if let ranks = configuration.ranks { return try spawnRemoteWorker(slot: index, rank: ranks[index]) }
        let (host, child) = try FileDescriptor.socketPair()
        WorkerPool.workersStarted += 1
        let number = WorkerPool.workersStarted
        let progressWord = progress + index
        progressWord.pointee = WorkerProgress()
        let config = configuration
        let identity = ProcessIdentity.current.child(named: "PoolWorker-\(number)", isWorker: true)
        // The worker starts with the globals as they are now.
        HostGlobals.check(lua)
        let seen = HostGlobals.version
        let fresh = config.start == .spawn ? FreshState.seed(lua, config) : nil
        let pid: pid_t
        do {
            pid = try Fork.spawn(lua, closing: [host], interrupt: .ignore, reseed: fresh == nil) {
                ProcessIdentity.current = identity
                var (base, initializer, initArguments) = (lua, config.initializer, config.initArguments)
                if let fresh {
                    guard let state = FreshState.make(fresh) else {
                        fputs("luapool worker: cannot create a Lua state: not enough memory\n", stderr)
                        return 70
                    }
                    base = state
                    switch Result(catching: { () throws(CodecError) in try FreshState.initializer(state, fresh) }) {
                    case .success(let refs):
                        (initializer, initArguments) = refs
                    case .failure(let error):
                        fputs("luapool worker: cannot receive the initializer: \(error.message)\n", stderr)
                        return 70
                    }
                }
                // Tasks run in a thread of their own, so their tracebacks
                // end at the task instead of going on into the host's
                // frames the fork copied.
                let thread = base.newThread()
                let loop = WorkerLoop(lua: thread, socket: child, progress: progressWord,
                                      maxTasks: config.maxTasksPerChild)
                guard loop.initialize(function: initializer, arguments: initArguments) else {
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
        Fork.hostDescriptors.insert(host.raw)
        WorkerPool.track(pid, socket: host.raw)
        do {
            try host.setNonBlocking(true)
        } catch {
            kill(pid, SIGKILL)
            _ = reap(pid)
            WorkerPool.untrack(pid)
            Fork.hostDescriptors.remove(host.raw)
            host.close()
            throw error
        }
        let slot = WorkerSlot(index: index, number: number, pid: pid, socket: host)
        slot.started = config.initializer == nil
        slot.seenVersion = seen
        return slot
    }

    /// Stops accepting work; the workers leave once the submitted work is
    /// done and ``join()`` is called.
    public func close() {
        if state == .running { state = .closed }
    }

    /// Waits for the submitted work (calls still running, async results
    /// not yet collected), then lets every worker leave and reaps it: a
    /// worker flushes its output and leaves on end of file; one that has
    /// not left after ``leaveGraceSeconds`` (still on work nobody waits
    /// for) is killed. The pool must be closed first. Ctrl-C stops the
    /// wait.
    public func join() throws(WaitError) {
        guard state == .closed else { return }
        _ = try wait { jobs.values.allSatisfy { $0.isReady || $0.cancelled } }
        state = .joining
        for slot in slots where slot.pid > 0 {
            // End of file on its socket: the worker's loop returns.
            shutdown(slot.socket.raw, Int32(SHUT_WR))
        }
        if try !wait(timeout: WorkerPool.leaveGraceSeconds, until: { slots.allSatisfy { $0.pid <= 0 } }) {
            for slot in slots where slot.pid > 0 { signalWorker(slot, SIGKILL) }
            _ = try wait { slots.allSatisfy { $0.pid <= 0 } }
        }
        state = .joined
        releaseSeats()
        WorkerPool.unregister(self)
    }

    /// How long a worker told to leave (at `join`, at exit) has to flush
    /// its output and leave before it is killed.
    public static let leaveGraceSeconds = 1.0

    /// Kills every worker now (SIGKILL) and reaps them; unfinished calls
    /// fail.
    public func terminate() {
        guard state != .terminated, isOwner else { return }
        state = .terminated
        WorkerPool.unregister(self)
        for slot in slots where slot.pid > 0 {
            signalWorker(slot, SIGKILL)
        }
        for slot in slots where slot.pid > 0 {
            retire(slot)
            if let remote = slot.remote {
                MPIHost.forget(remote.id)
            } else {
                _ = reap(slot.pid)
                WorkerPool.untrack(slot.pid)
            }
            slot.pid = 0
            slot.clear()
        }
        releaseSeats()
        failUnfinished(.terminated)
    }

    /// Lets the workers go without waiting for them, when nobody can use
    /// the pool any more (it became garbage): idle workers get end of
    /// file, flush their output and leave; busy ones are killed. They are
    /// reaped at the next pool call or at exit.
    public func release() {
        guard state != .terminated, isOwner else { return }
        if WorkerPool.isWaiting {
            // A finalizer inside a wait: the wait may be reading these
            // workers' sockets; they go when it is safe.
            if !WorkerPool.deferredReleases.contains(where: { $0 === self }) {
                WorkerPool.deferredReleases.append(self)
            }
            return
        }
        releaseNow()
    }

    /// ``release()`` without waiting for a safe moment.
    func releaseNow() {
        guard state != .terminated, isOwner else { return }
        state = .terminated
        WorkerPool.unregister(self)
        for slot in slots where slot.pid > 0 {
            if !slot.inFlight.isEmpty { signalWorker(slot, SIGKILL) }
            retire(slot)
            if let remote = slot.remote {
                MPIHost.forget(remote.id)
            } else {
                WorkerPool.orphan(slot.pid)
            }
            slot.pid = 0
            slot.clear()
        }
        releaseSeats()
        failUnfinished(.terminated)
    }

    /// Fails every job not finished yet with `failure` and drops the
    /// chunks not sent.
    func failUnfinished(_ failure: JobFailure) {
        for job in jobs.values where job.failure == nil && !job.isReady {
            job.failure = failure
        }
        for job in jobs.values {
            job.outstanding = 0
        }
        for job in Array(jobs.values) { dropIfCancelled(job) }
        queue.removeAll()
        queueHead = 0
    }

    /// Closes a slot's socket and forgets it as a host descriptor.
    func retire(_ slot: WorkerSlot) {
        guard slot.socket.raw >= 0 else { return }
        Fork.hostDescriptors.remove(slot.socket.raw)
        if let remote = slot.remote {
            MPIHost.closed(remote.id)
        } else if slot.pid > 0, WorkerPool.live[slot.pid] != nil {
            WorkerPool.live[slot.pid] = -1
        }
        slot.socket.close()
        slot.socket = FileDescriptor(-1)
    }

    /// Whether this process started the pool (a forked child inherits the
    /// object but not the workers).
    public var isOwner: Bool { getpid() == owner }

    // MARK: Every pool and worker of the process

    /// Every worker not reaped yet, with the host's end of its socket (-1
    /// once closed).
    nonisolated(unsafe) static var live: [pid_t: Int32] = [:]
    /// Workers let go by ``release()``, not reaped yet.
    nonisolated(unsafe) private static var orphans: [pid_t] = []
    /// The pools that can still take work (neither joined nor terminated).
    nonisolated(unsafe) static var pools: [ObjectIdentifier: Weak] = [:]

    struct Weak {
        weak var pool: WorkerPool?
    }

    static func track(_ pid: pid_t, socket: Int32) {
        live[pid] = socket
        ExitPath.install()
    }

    static func untrack(_ pid: pid_t) {
        live[pid] = nil
    }

    private static func register(_ pool: WorkerPool) {
        pools[ObjectIdentifier(pool)] = Weak(pool: pool)
    }

    private static func unregister(_ pool: WorkerPool) {
        pools[ObjectIdentifier(pool)] = nil
    }

    /// How many pools of this process are neither joined nor terminated.
    public static var unfinishedCount: Int {
        pools.values.reduce(0) { $0 + ($1.pool == nil ? 0 : 1) }
    }

    private static func orphan(_ pid: pid_t) {
        orphans.append(pid)
    }

    /// Reaps the workers let go by pools that became garbage, those that
    /// have left.
    static func reapOrphans() {
        guard !orphans.isEmpty else { return }
        orphans.removeAll { pid in
            var status: Int32 = 0
            let got = waitpid(pid, &status, WNOHANG)
            guard got == pid || (got < 0 && errno == ECHILD) else { return false }
            untrack(pid)
            return true
        }
    }

    /// In a new child: the workers it inherited the list of are not its own.
    static func forgetAll() {
        live.removeAll()
        orphans.removeAll()
        pools.removeAll()
        deferredReleases.removeAll()
        isWaiting = false
    }

    /// At exit: no worker outlives the host. Each gets end of file, so it
    /// finishes the chunks it holds, flushes its output and leaves; those
    /// still there after ``leaveGraceSeconds`` are killed. All are reaped,
    /// and every pool is left terminated.
    static func endAll() {
        let unfinished = pools.values.compactMap(\.pool)
        MPIHost.endAll()
        // Both ways: a worker that writes an answer nobody will read gets
        // an error at once instead of blocking out the grace.
        for (_, socket) in live where socket >= 0 { shutdown(socket, Int32(SHUT_RDWR)) }
        let deadline = Spin.now() + Int64(leaveGraceSeconds * 1e9)
        var waiting = Array(live.keys)
        while !waiting.isEmpty {
            waiting.removeAll { pid in
                var status: Int32 = 0
                let got = waitpid(pid, &status, WNOHANG)
                return got == pid || (got < 0 && errno != EINTR)
            }
            if waiting.isEmpty { break }
            if Spin.now() >= deadline {
                for pid in waiting { kill(pid, SIGKILL) }
                for pid in waiting { _ = reap(pid) }
                break
            }
            usleep(1000)
        }
        live.removeAll()
        orphans.removeAll()
        for pool in unfinished { pool.forgetWorkers() }
    }

    /// After ``endAll()``: the workers are gone and reaped; the pool says
    /// so, and takes no more work.
    private func forgetWorkers() {
        state = .terminated
        releaseSeats()
        WorkerPool.unregister(self)
        for slot in slots where slot.pid > 0 {
            retire(slot)
            slot.pid = 0
            slot.clear()
        }
        failUnfinished(.terminated)
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
    /// Why the host could not read the worker's answer (it was ended for
    /// it): the chunk it answered fails with this.
    var lostAnswer: String?
    /// The version of the host's globals the worker has seen (see
    /// HostGlobals): names rebound after it are to be forgotten.
    var seenVersion = 0
    /// The host killed the worker: its task (this item) ran past the
    /// call's time limit.
    var timedOutItem: Int64?

    init(index: Int, number: Int, pid: pid_t, socket: FileDescriptor) {
        (self.index, self.number, self.pid, self.socket) = (index, number, pid, socket)
    }

    /// Under MPI: the worker's id with the relays, and its rank.
    var remote: (id: UInt32, rank: Int)?

    var name: String {
        guard let remote else { return "PoolWorker-\(number)" }
        return "PoolWorker-\(number) on rank \(remote.rank) (\(MPIHost.hostName(of: remote.rank)))"
    }

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
        lostAnswer = nil
        timedOutItem = nil
    }
}
