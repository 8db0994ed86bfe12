/// What host and worker say to each other: the worker protocol, which the
/// host (Pool+*.swift) and the worker loop (Worker+*.swift) both follow.
/// Every frame starts with a kind byte and fixed little-endian fields;
/// values follow as codec bytes.
///
///     host -> worker   function  jobID timeout memory       codec(function)
///                      task      jobID chunkID first flags seed stream  codec(items)
///                      forget    codec(name, name, ...)
///                      value     codec(true, value) or codec(false, error)
///     worker -> host   results   jobID chunkID elapsed      codec(results)
///                      failure   jobID chunkID item         codec(error, traceback, kind)
///                      itemFailure jobID chunkID item       codec(error, traceback, kind)
///                      pull      name (the bytes of a global's name)
///                      retiring  (maxtasksperchild reached; EOF follows)
///                      ready     (the initializer ran; only with one)
///                      failure for job 0: the initializer failed
///
/// Answers. A worker answers every chunk, in the order it got them, with
/// its results or its first failure. An answer leaves before the next
/// chunk starts, except the answers of quick chunks (under 50 us) of one
/// whole call (`mayWaitFlag`), which may wait under a millisecond for the
/// next ones, so that a stream of tiny chunks costs one write per batch.
/// A failure goes at once. With `collectFlag` (errors = "collect") a
/// failing item does not end its chunk: it is reported by an
/// `itemFailure` frame, its result is nil, and the chunk goes on; the
/// chunk's `results` frame comes last. A failure's kind is `error`,
/// `timeout` or `memory` (see TaskLimits).
///
/// Progress. Before a chunk starts, the worker writes the chunk into its
/// shared ``WorkerProgress`` record, then the item it runs, and 0 once the
/// chunk is done. When a worker dies, the host reads the record: chunks
/// sent before the one it started last were done (their answers were lost
/// only if they were allowed to wait, and so fail with their call), that
/// one fails naming its item, and those after it never ran and go to
/// another worker. Nothing runs twice.
///
/// Globals. A task that reads a global its worker does not have makes the
/// worker send `pull` and wait for `value`: the host reads `_G[name]` as
/// the script would and answers at once, in whatever wait it is (every
/// wait of the host answers the pulls of every pool). Frames that arrive
/// before the `value` are kept aside and handled, in order, once the
/// running chunk is done. With the first chunk of a call a worker gets
/// after the host rebound some globals, a `forget` frame comes first: the
/// worker drops those names, and its next read of one pulls it again.
enum MessageKind: UInt8 {
    case function = 0x46  // F
    case task = 0x54      // T
    case results = 0x52   // R
    case failure = 0x45   // E
    case retiring = 0x58  // X
    case ready = 0x49     // I
    case pull = 0x50      // P
    case value = 0x56     // V
    case forget = 0x47    // G
    case itemFailure = 0x4B  // K
}

/// The fixed fields of a frame.
struct MessageHeader: Equatable {
    var kind: MessageKind
    var job: UInt32 = 0
    var chunk: UInt32 = 0
    /// The input index of the chunk's first item (task), of the item that
    /// failed (failure), the nanoseconds the chunk took (results), or a
    /// task's time limit in nanoseconds, 0 for none (function).
    var index: Int64 = 0
    /// Whether item i runs after `math.randomseed(seed, stream + i)`; how
    /// the items are passed; whether its answer may wait (task).
    var flags: UInt8 = 0
    /// The seed (task), or a task's memory cap in bytes, 0 for none
    /// (function).
    var seed: Int64 = 0
    /// With a seed: the call's number k times 2^32 (task).
    var stream: Int64 = 0

    static let seededFlag: UInt8 = 1
    /// Items are argument tuples (starmap, apply), not single arguments.
    static let tuplesFlag: UInt8 = 2
    /// The items come as one table with its `n`, not as a list of values.
    static let tableFlag: UInt8 = 4
    /// The answer may wait for the answers of the job's next chunks: the
    /// job is a whole call (`map`, `starmap` and their async forms) that
    /// fails as a whole when a worker dies, so an answer lost with its
    /// worker loses nothing the caller would get.
    static let mayWaitFlag: UInt8 = 8
    /// errors = "collect": an item's failure does not end the chunk.
    static let collectFlag: UInt8 = 16

    var byteCount: Int {
        switch kind {
        case .function: return 21
        case .task: return 34
        case .results, .failure, .itemFailure: return 17
        case .retiring, .ready, .pull, .value, .forget: return 1
        }
    }

    /// Appends the header's bytes, put together first on the stack so
    /// that the buffer grows once (a header goes with every chunk).
    func append(to buffer: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { raw in
            var at = 0
            func put<T: FixedWidthInteger>(_ value: T) {
                raw.storeBytes(of: value.littleEndian, toByteOffset: at, as: T.self)
                at += MemoryLayout<T>.size
            }
            put(kind.rawValue)
            switch kind {
            case .function:
                put(job)
                put(UInt64(bitPattern: index))
                put(UInt64(bitPattern: seed))
            case .task:
                put(job)
                put(chunk)
                put(UInt64(bitPattern: index))
                put(flags)
                put(UInt64(bitPattern: seed))
                put(UInt64(bitPattern: stream))
            case .results, .failure, .itemFailure:
                put(job)
                put(chunk)
                put(UInt64(bitPattern: index))
            case .retiring, .ready, .pull, .value, .forget:
                break
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<at]))
        }
    }

    /// Reads the header at the start of `frame`; nil when it is not one.
    init?(_ frame: UnsafeRawBufferPointer) {
        guard let first = frame.first, let kind = MessageKind(rawValue: first) else { return nil }
        self.kind = kind
        guard frame.count >= byteCount else { return nil }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: frame.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func i64(_ at: Int) -> Int64 { Int64(littleEndian: frame.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
        switch kind {
        case .function:
            (job, index, seed) = (u32(1), i64(5), i64(13))
        case .task:
            (job, chunk, index, flags, seed, stream) = (u32(1), u32(5), i64(9), frame[17], i64(18), i64(26))
        case .results, .failure, .itemFailure:
            (job, chunk, index) = (u32(1), u32(5), i64(9))
        case .retiring, .ready, .pull, .value, .forget:
            break
        }
    }

    init(kind: MessageKind, job: UInt32 = 0, chunk: UInt32 = 0, index: Int64 = 0,
         flags: UInt8 = 0, seed: Int64 = 0, stream: Int64 = 0) {
        (self.kind, self.job, self.chunk, self.index, self.flags, self.seed, self.stream) =
            (kind, job, chunk, index, flags, seed, stream)
    }
}

