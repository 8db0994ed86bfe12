import CLua

/// One pool call (`map`, `starmap`, `apply`, an async variant): its
/// function, its chunks of items, and what has come back.
final class Job {
    let id: UInt32
    /// Codec bytes of the function, sent once to each worker that runs it.
    let function: [UInt8]
    let tuples: Bool
    let seed: Int64?
    /// Number of input items: the results table's `n`.
    let count: Int
    var chunks: [Chunk]
    /// Registry reference of the items table (read as chunks are sent).
    private(set) var items: Int32
    /// Registry reference of the results table being filled; made when
    /// the first answer arrives (see ``pushResults(_:)``).
    private var results: Int32 = LUA_NOREF
    /// Chunks neither answered nor dropped.
    var outstanding: Int {
        didSet { if onDone != nil, isDone { callOnDone() } }
    }
    /// The first failure; later ones are dropped (first error wins).
    var failure: JobFailure? {
        didSet { if onDone != nil, isDone { callOnDone() } }
    }
    /// Called once, when the outcome becomes known (callbacks wait for it).
    var onDone: (() -> Void)?

    private func callOnDone() {
        let done = onDone
        onDone = nil
        done?()
    }
    /// Chunk ids in the order their answers arrived (for imap_unordered).
    var arrivals: [UInt32] = []
    /// Nobody will collect the outcome (an async result or an iterator
    /// was dropped): chunks not yet sent are dropped, and the job is
    /// forgotten once its running chunks are back.
    var cancelled = false

    struct Chunk {
        /// Input index of the chunk's first item.
        let first: Int64
        let size: Int
        /// Its answer is back (results or failure) or it was dropped.
        var done = false
        /// It failed: no results of it came back.
        var failed = false
        /// Workers that died with it next in line, before starting it: a
        /// chunk that kills its worker on arrival fails at the second.
        var deathsBeforeStart = 0
        /// Its worker died in it and its items went to new chunks (retries,
        /// or errors = "collect"): it counts for nothing.
        var superseded = false
    }

    init(id: UInt32, function: [UInt8], tuples: Bool, seed: Int64?, count: Int,
         chunks: [Chunk], items: Int32) {
        (self.id, self.function, self.tuples, self.seed, self.count) = (id, function, tuples, seed, count)
        self.chunks = chunks
        self.items = items
        self.outstanding = chunks.count
    }

    /// A running mean of how long its chunks take in a worker, in
    /// nanoseconds (0 until one is back).
    var meanChunkNanos: Int64 = 0

    /// The function's key in the pool's record of how long an item of it
    /// took (``WorkerPool/itemNanos``); nil when not kept.
    var timingKey: Int?

    /// The failure was handed to the caller, who releases it.
    var failureTaken = false

    /// With a seed: the call's number k (from 0) times 2^32; item i runs
    /// after `math.randomseed(seed, stream + i)`.
    var stream: Int64 = 0

    /// How the call runs: collect, retries, limits, progress, checkpoint.
    var settings = CallSettings()
    /// errors = "collect": the items that failed, by input index.
    var failures: [Int64: ItemFailure] = [:]
    /// Items whose answer (result or collected failure) is in.
    var itemsDone = 0
    /// The progress drawn for the call, if any.
    var display: ProgressDisplay?
    /// The file its results go to as they arrive (checkpoint = "path").
    var checkpoint: Checkpoint?
    /// How often each item's worker died under it.
    var deaths: [Int64: Int] = [:]

    /// Records that item `index` failed (the first failure of an item
    /// stays); the value's reference becomes the job's.
    func addFailure(_ index: Int64, _ failure: ItemFailure, _ lua: LuaState) {
        if failures[index] == nil {
            failures[index] = failure
        } else {
            failure.release(lua)
        }
    }

    /// Splits the items into chunks of `size`, in input order; with
    /// `done` (items restored from a checkpoint, by input index), runs of
    /// done items become chunks that are already answered.
    func plan(chunkSize size: Int, done: [Bool]) {
        chunks.removeAll()
        chunks.reserveCapacity(count / size + 1)
        if done.isEmpty {
            // Nothing restored: equal chunks, the last one shorter.
            for first in stride(from: 1, through: count, by: size) {
                chunks.append(Chunk(first: Int64(first), size: min(size, count - first + 1)))
            }
            outstanding = chunks.count
            return
        }
        var first = 1
        while first <= count {
            var n = 0
            let isDone = done[first]
            while first + n <= count, n < size || isDone, done[first + n] == isDone { n += 1 }
            chunks.append(Chunk(first: Int64(first), size: n))
            if isDone {
                chunks[chunks.count - 1].done = true
                arrivals.append(UInt32(chunks.count - 1))
                itemsDone += n
            }
            first += n
        }
        outstanding = chunks.count - arrivals.count
    }

    /// The chunks made at submission (those after them were made when a
    /// worker died in one).
    private(set) lazy var plannedChunks = chunks.count

    /// The chunk that holds item `item` now: the planned one, or the
    /// newer one that took the item over from it.
    func chunk(holding item: Int64) -> Int {
        var low = 0, high = plannedChunks - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if chunks[middle].first <= item { low = middle } else { high = middle - 1 }
        }
        guard chunks[low].superseded else { return low }
        for k in plannedChunks..<chunks.count where !chunks[k].superseded
            && chunks[k].first <= item && item < chunks[k].first + Int64(chunks[k].size) {
            return k
        }
        return low
    }

    /// Adds a chunk of `size` items from `first` and returns its number.
    func addChunk(first: Int64, size: Int) -> Int {
        _ = plannedChunks
        chunks.append(Chunk(first: first, size: size))
        outstanding += 1
        return chunks.count - 1
    }

    /// The caller takes all the results or the first failure (map, not
    /// imap or apply): its answers may wait in a worker for the next ones.
    var wholeCall = false

    /// Every chunk is back (or dropped).
    var isReady: Bool { outstanding == 0 }

    /// The outcome is known: every result is back, or the call failed.
    var isDone: Bool { outstanding == 0 || failure != nil }

    /// Results tables of at least this many slots take a block that
    /// LuaAllocator keeps (a megabyte or more).
    static let largeResults = (1 << 20) / 16

    /// Pushes the results table, `count` slots long with its `n`, making
    /// it on first use. Not made at submission: a table for a large call
    /// costs milliseconds to allocate (and may run the collector), which
    /// would hold back the first chunks; the host makes it while the
    /// workers run them.
    func pushResults(_ lua: LuaState) {
        if results != LUA_NOREF {
            lua.rawGet(lua_Integer(results), of: LuaState.registryIndex)
            return
        }
        if count >= Job.largeResults, clua_gc(lua.L, LUA_GCISRUNNING) != 0 {
            // A table that large makes the collector take a step just
            // after its allocation (in generational mode, a young
            // collection once the heap grew by a fifth). One step runs
            // before it too: the last call's results, garbage by now and
            // still young, are freed, and their block (kept by
            // LuaAllocator) is this table's, not fresh memory faulted in
            // a page at a time. No step for a table the collector would
            // not have stepped for (nor when the script stopped it: a step
            // would run it regardless).
            let heap = Int(clua_gc(lua.L, LUA_GCCOUNT)) * 1024
            if count * 16 * 5 >= heap { _ = clua_gc(lua.L, LUA_GCSTEP) }
        }
        lua.newTable(array: Int32(min(count, 1 << 24)), hash: 1)
        lua.push(count)
        lua.setField("n", of: -2)
        lua.pushValue(at: -1)
        results = luaL_ref(lua.L, LuaState.registryIndex)
    }

    /// Pushes the results table and lets the job's reference to it go.
    func takeResults(_ lua: LuaState) {
        pushResults(lua)
        luaL_unref(lua.L, LuaState.registryIndex, results)
        results = LUA_NOREF
    }

    /// Lets go of the items and of the results made so far, once nothing
    /// of them will be sent or given (the call failed).
    func releaseInputs(_ lua: LuaState) {
        luaL_unref(lua.L, LuaState.registryIndex, items)
        luaL_unref(lua.L, LuaState.registryIndex, results)
        (items, results) = (LUA_NOREF, LUA_NOREF)
    }

    /// Frees the registry references the job holds; a second call does
    /// nothing (a reference freed twice would corrupt the registry's free
    /// list).
    func release(_ lua: LuaState) {
        checkpoint?.close()
        releaseInputs(lua)
        for failure in failures.values { failure.release(lua) }
        failures.removeAll()
        if !failureTaken { failure?.release(lua) }
        failure = nil
    }
}

/// The pool's jobs by id. A call of many small chunks asks for the same
/// job several times per chunk: the job asked for last is kept aside, so
/// that hashing its id is the exception (it was a tenth of the host's
/// instructions per chunk).
struct JobTable {
    private var table: [UInt32: Job] = [:]
    private var recent: Job?

    subscript(id: UInt32) -> Job? {
        mutating get {
            if let recent, recent.id == id { return recent }
            let job = table[id]
            if job != nil { recent = job }
            return job
        }
        set {
            table[id] = newValue
            recent = newValue
        }
    }

    var values: Dictionary<UInt32, Job>.Values { table.values }
}

/// One item's failure, under errors = "collect".
struct ItemFailure {
    /// The error value (registry reference; nil for a death or timeout
    /// found by the host, whose text is `message`).
    var value: Int32?
    var message: String
    var traceback: String?
    var kind: FailureKind
    var worker: String
    var pid: Int32

    func release(_ lua: LuaState) {
        if let value { luaL_unref(lua.L, LuaState.registryIndex, value) }
    }
}

/// Where in an item a worker died.
enum DeathPoint {
    case running, after, before
}

/// Why a job failed.
enum JobFailure {
    /// The task raised: its error value and traceback (registry
    /// references), the input index and the worker that ran it.
    case raised(value: Int32, traceback: String?, item: Int64, worker: String, pid: Int32)
    /// The worker died while running `item`, after it ran `item` and
    /// before its answer was sent, or before it started `item` (twice).
    case died(worker: String, pid: Int32, exit: WorkerExit, item: Int64, when: DeathPoint)
    /// The call was stopped by Ctrl-C.
    case interrupted
    /// The pool was terminated before the call finished.
    case terminated
    /// An item could not be encoded: the message says which and why.
    case unsendable(String)
    /// The pool's initializer failed: the text says where and why.
    case broken(String)
    /// The host could not decode an answer: the text says which and why.
    case undecodable(String)
    /// No worker could be started (fork failed): the text says why.
    case noWorkers(String)
    /// The task ran past its time and its worker was killed (it was stuck
    /// in C, or caught the error and ran on).
    case timedOut(worker: String, pid: Int32, item: Int64, seconds: Double)

    /// Frees the registry reference of a raised error value.
    func release(_ lua: LuaState) {
        if case .raised(let value, _, _, _, _) = self {
            luaL_unref(lua.L, LuaState.registryIndex, value)
        }
    }
}
