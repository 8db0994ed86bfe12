/// What host and worker say to each other. Every frame starts with a kind
/// byte and fixed little-endian fields; values follow as codec bytes.
///
///     host -> worker   function  jobID                      codec(function)
///                      task      jobID chunkID first flags seed stream  codec(items)
///     worker -> host   results   jobID chunkID elapsed      codec(results)
///                      failure   jobID chunkID item         codec(error, traceback)
///                      retiring  (maxtasksperchild reached; EOF follows)
///                      ready     (the initializer ran; only with one)
///                      failure for job 0: the initializer failed
enum MessageKind: UInt8 {
    case function = 0x46  // F
    case task = 0x54      // T
    case results = 0x52   // R
    case failure = 0x45   // E
    case retiring = 0x58  // X
    case ready = 0x49     // I
}

/// The fixed fields of a frame.
struct MessageHeader: Equatable {
    var kind: MessageKind
    var job: UInt32 = 0
    var chunk: UInt32 = 0
    /// The input index of the chunk's first item (task), of the item that
    /// failed (failure), or the nanoseconds the chunk took (results).
    var index: Int64 = 0
    /// Whether item i runs after `math.randomseed(seed, stream + i)`; how
    /// the items are passed; whether its answer may wait (task).
    var flags: UInt8 = 0
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

    var byteCount: Int {
        switch kind {
        case .function: return 5
        case .task: return 34
        case .results: return 17
        case .failure: return 17
        case .retiring, .ready: return 1
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
            case .task:
                put(job)
                put(chunk)
                put(UInt64(bitPattern: index))
                put(flags)
                put(UInt64(bitPattern: seed))
                put(UInt64(bitPattern: stream))
            case .results, .failure:
                put(job)
                put(chunk)
                put(UInt64(bitPattern: index))
            case .retiring, .ready:
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
            job = u32(1)
        case .task:
            (job, chunk, index, flags, seed, stream) = (u32(1), u32(5), i64(9), frame[17], i64(18), i64(26))
        case .results, .failure:
            (job, chunk, index) = (u32(1), u32(5), i64(9))
        case .retiring, .ready:
            break
        }
    }

    init(kind: MessageKind, job: UInt32 = 0, chunk: UInt32 = 0, index: Int64 = 0,
         flags: UInt8 = 0, seed: Int64 = 0, stream: Int64 = 0) {
        (self.kind, self.job, self.chunk, self.index, self.flags, self.seed, self.stream) =
            (kind, job, chunk, index, flags, seed, stream)
    }
}

