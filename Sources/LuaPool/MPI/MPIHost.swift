import CSystem
import Glibc

/// The script host's side of a run under MPI: the world the relay of rank
/// 0 reported, the workers of every rank a pool may take (a remote worker
/// serves one pool at a time), and the requests and news that go through
/// the relay. Used only by the host process; the host never loads MPI.
public enum MPIHost {
    /// The link to the relay of rank 0 (nil: no MPI).
    nonisolated(unsafe) static var channel: MessageChannel?

    /// A rank with workers.
    public struct Rank {
        public let rank: Int
        public let workers: Int
        public let host: String
        /// Workers no pool holds.
        public internal(set) var free: Int
    }

    /// Every rank but 0, in rank order.
    nonisolated(unsafe) public private(set) static var ranks: [Rank] = []
    /// The job's size.
    nonisolated(unsafe) public private(set) static var size = 1

    /// Whether this process is the script host of a job of several ranks.
    public static var isActive: Bool { channel != nil }

    public static var totalWorkers: Int { ranks.reduce(0) { $0 + $1.workers } }
    public static var freeWorkers: Int { ranks.reduce(0) { $0 + $1.free } }

    /// Reads the world the relay sent first.
    static func setUp(channel: MessageChannel, world reader: inout MessageReader) {
        _ = fcntl(channel.fd, F_SETFL, fcntl(channel.fd, F_GETFL) | O_NONBLOCK)
        self.channel = channel
        Fork.hostDescriptors.insert(channel.fd)
        size = Int(reader.get(UInt32.self) ?? 1)
        ranks = []
        while let rank = reader.get(UInt32.self), let workers = reader.get(UInt32.self), let host = reader.getString() {
            ranks.append(Rank(rank: Int(rank), workers: Int(workers), host: host, free: Int(workers)))
        }
    }

    /// The host name of `rank` (rank 0: this machine).
    public static func hostName(of rank: Int) -> String {
        rank == 0 ? MPILaunch.hostName() : ranks.first { $0.rank == rank }?.host ?? "?"
    }

    // MARK: Workers for pools

    /// Takes `count` free workers for a pool: the rank of each, spread over
    /// the ranks in turn; nil when not enough are free.
    static func reserve(_ count: Int) -> [Int]? {
        guard count <= freeWorkers else { return nil }
        var taken: [Int] = []
        while taken.count < count {
            for i in ranks.indices where ranks[i].free > 0 && taken.count < count {
                ranks[i].free -= 1
                taken.append(ranks[i].rank)
            }
        }
        return taken.sorted()
    }

    /// Under MPI, makes `configuration` a pool of the job's workers:
    /// `processes` of them (nil: every worker of every rank), taken now;
    /// the error says why it cannot be. Without MPI it does nothing.
    static func place(_ configuration: inout WorkerPool.Configuration, processes: Int?) -> String? {
        guard isActive else { return nil }
        let count = processes ?? totalWorkers
        guard let taken = reserve(count) else {
            let busy = totalWorkers - freeWorkers
            let workers = count == 1 ? "1 worker" : "\(count) workers"
            return "a pool of \(workers) asked for, but only \(freeWorkers) of the job's \(totalWorkers) "
                + (freeWorkers == 1 ? "is" : "are") + " free"
                + (busy > 0 ? " (\(busy) \(busy == 1 ? "serves" : "serve") other pools: join or terminate them first)" : "")
        }
        configuration.processes = count
        configuration.ranks = taken
        // Workers on other ranks start fresh: the initializer travels by value.
        configuration.start = .spawn
        return nil
    }

    /// Gives back the workers a pool held.
    static func release(_ taken: [Int]) {
        for rank in taken {
            if let i = ranks.firstIndex(where: { $0.rank == rank }) { ranks[i].free += 1 }
        }
    }

    /// How a remote worker ended, and where it was.
    struct Exit {
        let status: Int32
        let chunk: Int64
        let item: Int64
        /// The item whose time ran out (its rank killed the worker), or 0.
        let timedOut: Int64
    }

    nonisolated(unsafe) private static var nextWorker: UInt32 = 1
    nonisolated(unsafe) private static var exits: [UInt32: Exit] = [:]
    /// Where each remote worker's progress goes: its slot's record.
    nonisolated(unsafe) private static var records: [UInt32: UnsafeMutablePointer<WorkerProgress>] = [:]
    /// The host's end of each remote worker's socket (-1 once closed), for
    /// the end of the script.
    nonisolated(unsafe) static var live: [UInt32: Int32] = [:]

    struct OpenError: Error {
        let message: String
    }

    /// Starts a worker on `rank`; its progress goes to `record`. Returns
    /// its id, its pid on that rank and the host's end of its socket.
    static func open(rank: Int, _ request: SpawnRequest,
                     record: UnsafeMutablePointer<WorkerProgress>) throws(OpenError) -> (UInt32, pid_t, Int32) {
        guard let channel else { throw OpenError(message: "not running under MPI") }
        let id = nextWorker
        nextWorker &+= 1
        var writer = MessageWriter(HostMessage.open.rawValue)
        writer.put(id)
        writer.put(UInt32(rank))
        request.write(into: &writer)
        guard channel.send(writer.bytes) else { throw OpenError(message: "the relay of rank 0 is gone") }
        records[id] = record
        let deadline = Spin.now() + 60_000_000_000
        while true {
            let left = Double(deadline - Spin.now()) / 1e9
            guard PoolInterrupt.raised == 0, left > 0,
                  let (payload, descriptor) = channel.waitNext(timeout: min(left, 0.2)) ?? (channel.closed ? nil : ([], nil))
            else {
                records[id] = nil
                if PoolInterrupt.raised != 0 { throw OpenError(message: "interrupted") }
                throw OpenError(message: "no answer from rank \(rank) within 60 s")
            }
            if payload.isEmpty { continue }
            var reader = MessageReader(payload)
            let kind = reader.kind.flatMap(HostMessage.init(rawValue:))
            if kind == .opened || kind == .openFailed, let got = reader.get(UInt32.self), got == id {
                if kind == .openFailed {
                    records[id] = nil
                    throw OpenError(message: "rank \(rank): \(reader.getString() ?? "?")")
                }
                guard let pid = reader.get(Int32.self), let descriptor else {
                    records[id] = nil
                    throw OpenError(message: "rank \(rank): no socket came with the worker")
                }
                live[id] = descriptor
                return (id, pid, descriptor)
            }
            handle(payload, descriptor)
        }
    }

    /// Sends `signal` to a remote worker (SIGKILL: with what it started).
    static func kill(_ id: UInt32, _ signal: Int32) {
        var writer = MessageWriter(HostMessage.kill.rawValue)
        writer.put(id)
        writer.put(signal)
        _ = channel?.send(writer.bytes)
    }

    /// Reads what the relay sent (progress, ends), without waiting.
    static func service() {
        guard let channel else { return }
        _ = channel.fill()
        while let (payload, descriptor) = channel.next() { handle(payload, descriptor) }
    }

    /// How worker `id` ended: the relay says so before its socket closes;
    /// waits for at most `timeout` seconds.
    static func waitExit(_ id: UInt32, timeout: Double = 10) -> Exit? {
        debugMPI("host waits for the end of worker \(id); known: \(exits.keys.sorted())")
        let deadline = Spin.now() + Int64(timeout * 1e9)
        while exits[id] == nil, let channel, Spin.now() < deadline {
            guard let (payload, descriptor) = channel.waitNext(timeout: Double(deadline - Spin.now()) / 1e9) else { break }
            handle(payload, descriptor)
        }
        records[id] = nil
        live[id] = nil
        return exits.removeValue(forKey: id)
    }

    /// Forgets a worker whose end will not be waited for.
    static func forget(_ id: UInt32) {
        records[id] = nil
        live[id] = nil
        exits[id] = nil
    }

    /// The descriptor of the host's end of a worker's socket was closed.
    static func closed(_ id: UInt32) {
        if live[id] != nil { live[id] = -1 }
    }

    private static func handle(_ payload: [UInt8], _ descriptor: Int32?) {
        if let descriptor { close(descriptor) }
        var reader = MessageReader(payload)
        debugMPI("host got \(String(describing: reader.kind.flatMap(HostMessage.init(rawValue:)))) \(payload.count) bytes")
        switch reader.kind.flatMap(HostMessage.init(rawValue:)) {
        case .progress:
            guard let id = reader.get(UInt32.self), let chunk = reader.get(Int64.self),
                  let item = reader.get(Int64.self), let record = records[id] else { return }
            record.pointee.chunk = chunk
            record.pointee.item = item
        case .exited:
            guard let id = reader.get(UInt32.self), let status = reader.get(Int32.self),
                  let chunk = reader.get(Int64.self), let item = reader.get(Int64.self),
                  let timedOut = reader.get(Int64.self) else { return }
            if let record = records[id] {
                record.pointee.chunk = chunk
                record.pointee.item = item
                record.pointee.deadline = 0
            }
            // Only for a worker still known: one forgotten (its pool was
            // terminated) is not waited for.
            if records[id] != nil || live[id] != nil {
                exits[id] = Exit(status: status, chunk: chunk, item: item, timedOut: timedOut)
            }
        default:
            break
        }
    }

    /// In a process forked from the host (a Process, a local worker): the
    /// link and the job's workers are the host's, not its own; it runs as
    /// without MPI.
    static func forgetAll() {
        channel = nil
        ranks = []
        size = 1
        live.removeAll()
        records.removeAll()
        exits.removeAll()
    }

    /// At the end of the script: every remote worker gets end of file (it
    /// finishes the chunks it holds and leaves); the relays end the rest
    /// once the host has gone.
    static func endAll() {
        for (_, fd) in live where fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
        live.removeAll()
    }
}
