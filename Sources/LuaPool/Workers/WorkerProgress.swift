/// What a worker is doing, in memory it shares with the host (one
/// `MAP_SHARED` mapping per pool, one of these per worker slot). The worker
/// writes it; the host reads it when the worker dies, to tell the chunks
/// it finished from the one it was running and from those it never
/// started (see Message.swift).
struct WorkerProgress {
    /// The chunk the worker started last, as ``key(job:chunk:)``; 0
    /// before its first.
    var chunk: Int64 = 0
    /// The input index of the item it runs in that chunk; 0 once the
    /// chunk is done.
    var item: Int64 = 0
    /// When that item's time runs out (CLOCK_MONOTONIC nanoseconds), for a
    /// call with a timeout; 0 otherwise, and while the task waits for the
    /// host to answer a pull (that time does not count).
    var deadline: Int64 = 0
    /// Fills the record to 128 bytes, so that each worker's record has
    /// cache lines of its own (and their neighbours, which the CPU
    /// fetches in pairs): a worker writes ``item`` before each item, and
    /// records sharing a line made every such write wait for the line to
    /// come back from the other worker's CPU.
    private var padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// One number for a chunk of a job.
    static func key(job: UInt32, chunk: UInt32) -> Int64 {
        Int64(job) << 32 | Int64(chunk)
    }

    /// Where ``item`` lives, for C code that writes it (clua_mapbatch).
    static func itemPointer(_ progress: UnsafeMutablePointer<WorkerProgress>) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(progress) + MemoryLayout<WorkerProgress>.offset(of: \.item)!
    }
}
