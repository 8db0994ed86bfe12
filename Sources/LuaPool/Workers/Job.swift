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
    let items: Int32
    /// Registry reference of the results table being filled.
    let results: Int32
    /// Chunks neither answered nor dropped.
    var outstanding: Int
    /// The first failure; later ones are dropped (first error wins).
    var failure: JobFailure?
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
    }

    init(id: UInt32, function: [UInt8], tuples: Bool, seed: Int64?, count: Int,
         chunks: [Chunk], items: Int32, results: Int32) {
        (self.id, self.function, self.tuples, self.seed, self.count) = (id, function, tuples, seed, count)
        self.chunks = chunks
        self.items = items
        self.results = results
        self.outstanding = chunks.count
    }

    /// A running mean of how long its chunks take in a worker, in
    /// nanoseconds (0 until one is back).
    var meanChunkNanos: Int64 = 0

    /// The failure was handed to the caller, who releases it.
    var failureTaken = false

    /// Every chunk is back (or dropped).
    var isReady: Bool { outstanding == 0 }

    /// The outcome is known: every result is back, or the call failed.
    var isDone: Bool { outstanding == 0 || failure != nil }

    /// Frees the registry references the job holds.
    func release(_ lua: LuaState) {
        luaL_unref(lua.L, LuaState.registryIndex, items)
        luaL_unref(lua.L, LuaState.registryIndex, results)
        if !failureTaken { failure?.release(lua) }
        failure = nil
    }
}

/// Why a job failed.
enum JobFailure {
    /// The task raised: its error value and traceback (registry
    /// references), the input index and the worker that ran it.
    case raised(value: Int32, traceback: String?, item: Int64, worker: String, pid: Int32)
    /// The worker died while running `item`.
    case died(worker: String, pid: Int32, exit: WorkerExit, item: Int64)
    /// The call was stopped by Ctrl-C.
    case interrupted
    /// The pool was terminated before the call finished.
    case terminated
    /// An item could not be encoded: the message says which and why.
    case unsendable(String)
    /// The pool's initializer failed: the text says where and why.
    case broken(String)

    /// Frees the registry reference of a raised error value.
    func release(_ lua: LuaState) {
        if case .raised(let value, _, _, _, _) = self {
            luaL_unref(lua.L, LuaState.registryIndex, value)
        }
    }
}
