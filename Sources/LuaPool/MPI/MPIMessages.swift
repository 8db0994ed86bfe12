// The messages of a run under MPI (DESIGN.md section 8). Three kinds of
// link carry them:
//
//   ranks       MPI messages, tag 1, between the relay of rank 0 and the
//               relay of each other rank (RankMessage)
//   host        a Unix socket between the script host and the relay of
//               rank 0, its parent (HostMessage); also the first message
//               a relay sends the process it forked, saying what it is
//   fork server a Unix socket between a relay and its fork server
//               (ServerMessage)
//
// A remote worker's bytes travel as a stream: the host writes frames to a
// socket whose other end the relay of rank 0 holds; that relay sends what
// it reads, in pieces of at most 1 MiB, as `data` messages to the worker's
// rank, whose relay writes them to the worker's socket; and back the same
// way. MPI keeps the order of messages between two ranks with one tag, so
// the stream arrives in order; no piece is near MPI's 2 GiB limit.

enum RankMessage: UInt8 {
    /// r -> 0: workers u32, cpus u32, host string.
    case hello = 1
    /// 0 -> r: worker u32, the spawn description (SpawnRequest).
    case spawn = 2
    /// r -> 0: worker u32, pid i32.
    case spawned = 3
    /// r -> 0: worker u32, message string.
    case spawnFailed = 4
    /// both: worker u32, then bytes of the worker's stream.
    case data = 5
    /// 0 -> r: worker u32: the host closed its end (the worker gets EOF).
    case eof = 6
    /// 0 -> r: worker u32, signal i32 (the worker and what it started).
    case kill = 7
    /// r -> 0: worker u32, chunk i64, item i64: where the worker is.
    case progress = 8
    /// r -> 0: worker u32, wait status i32, chunk i64, item i64, timed-out
    /// item i64 (0: none): the worker is gone and its stream has ended.
    case closed = 9
    /// 0 -> r: the script ended: end every worker and leave.
    case shutdown = 10
}

enum HostMessage: UInt8 {
    /// relay -> host, first: you are the script host; ranks u32, then for
    /// each other rank: rank u32, workers u32, host string.
    case world = 1
    /// host -> relay: worker u32, rank u32, the spawn description.
    case open = 2
    /// relay -> host: worker u32, pid i32, with the host's end of the
    /// worker's socket.
    case opened = 3
    /// relay -> host: worker u32, message string.
    case openFailed = 4
    /// host -> relay: worker u32, signal i32.
    case kill = 5
    /// relay -> host: worker u32, chunk i64, item i64.
    case progress = 6
    /// relay -> host: worker u32, wait status i32, chunk i64, item i64,
    /// timed-out item i64; sent before the worker's socket is closed.
    case exited = 7
    /// relay -> the process it forked, first: the job has one rank; run
    /// as without MPI.
    case alone = 8
    /// relay -> the process it forked, first: be this rank's fork server.
    case forkServer = 9
    /// relay -> the process it forked, first: MPI cannot be used; the
    /// message says why (the process reports it and exits).
    case failed = 10
}

enum ServerMessage: UInt8 {
    /// relay -> server: worker u32, progress record u32, the spawn
    /// description.
    case spawn = 1
    /// server -> relay: worker u32, pid i32, with the relay's end of the
    /// worker's socket.
    case spawned = 2
    /// server -> relay: worker u32, message string.
    case failed = 3
    /// relay -> server: pid i32, signal i32: to the worker and everything
    /// it started.
    case kill = 4
    /// server -> relay: pid i32, wait status i32.
    case exited = 5
}

/// What a remote worker is started with: its number and name, its
/// limits, `package.path` and `cpath`, and the pool's initializer (codec
/// bytes of the function and its arguments).
struct SpawnRequest {
    var number: UInt32
    var name: String
    var maxTasks: Int64
    var path: [UInt8]?
    var cpath: [UInt8]?
    var initializer: [UInt8]?

    func write(into writer: inout MessageWriter) {
        writer.put(number)
        writer.put(name)
        writer.put(maxTasks)
        for field in [path, cpath, initializer] {
            writer.put(UInt8(field == nil ? 0 : 1))
            if let field { writer.put(bytes: field) }
        }
    }

    init(number: UInt32, name: String, maxTasks: Int64, path: [UInt8]?, cpath: [UInt8]?, initializer: [UInt8]?) {
        (self.number, self.name, self.maxTasks) = (number, name, maxTasks)
        (self.path, self.cpath, self.initializer) = (path, cpath, initializer)
    }

    init?(from reader: inout MessageReader) {
        guard let number = reader.get(UInt32.self), let name = reader.getString(),
              let maxTasks = reader.get(Int64.self) else { return nil }
        var fields: [[UInt8]?] = []
        for _ in 0..<3 {
            guard let present = reader.get(UInt8.self) else { return nil }
            if present == 0 {
                fields.append(nil)
            } else {
                guard let bytes = reader.getBytes() else { return nil }
                fields.append(bytes)
            }
        }
        self.init(number: number, name: name, maxTasks: maxTasks, path: fields[0], cpath: fields[1],
                  initializer: fields[2])
    }
}
