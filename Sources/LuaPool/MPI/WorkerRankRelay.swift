import CSystem
import Glibc

/// The relay of every rank but 0: the rank's MPI process. It says hello
/// to rank 0 with its worker count, then has its fork server make workers
/// when rank 0 asks, and relays each worker's byte stream between MPI and
/// the worker's socket. It watches the workers' progress records: it
/// forwards where each is (for the script's progress and its reading of
/// a death), kills a worker whose task ran past its deadline and a grace
/// second (its rank's clock), and, when a worker is gone, sends how it
/// ended and where it was, once its stream has ended too.
final class WorkerRankRelay: Relay {
    private let server: MessageChannel
    private let serverPid: pid_t
    private let records: UnsafeMutablePointer<WorkerProgress>
    private let recordCount: Int
    private var freeRecords: [Int]
    private let workerCount: Int

    private final class Worker {
        let id: UInt32
        let record: Int
        var pid: pid_t = 0
        var fd: Int32 = -1
        var output = PendingOutput()
        /// The host closed its end: the worker gets end of file once the
        /// output is written.
        var eofPending = false
        var streamEnded = false
        var status: Int32?
        var timedOutItem: Int64 = 0
        var lastSent: (chunk: Int64, item: Int64) = (0, 0)
        var lastSentAt: Int64 = 0
        init(id: UInt32, record: Int) { (self.id, self.record) = (id, record) }
    }
    private var workers: [UInt32: Worker] = [:]
    private var byPid: [pid_t: UInt32] = [:]
    private var buffer: [UInt8] = []

    init(mpi: MPILibrary, rank: Int, server: MessageChannel, serverPid: pid_t,
         records: UnsafeMutablePointer<WorkerProgress>, recordCount: Int, workers: Int) {
        (self.server, self.serverPid, self.records, self.recordCount) = (server, serverPid, records, recordCount)
        self.freeRecords = Array((0..<recordCount).reversed())
        self.workerCount = workers
        super.init(mpi: mpi, rank: rank)
    }

    func run() -> Never {
        var hello = MessageWriter(RankMessage.hello.rawValue)
        hello.put(UInt32(workerCount))
        hello.put(UInt32(PoolSize.cpuCount()))
        hello.put(MPILaunch.hostName())
        send(hello.bytes, to: 0)
        var fds: [pollfd] = []
        var order: [UInt32] = []
        var active = true
        while true {
            if Relay.stopSignal != 0 { leave() }
            fds.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: server.fd, events: Int16(POLLIN), revents: 0))
            for worker in workers.values where worker.fd >= 0 {
                Relay.watch(worker.fd, id: worker.id, inputEnded: worker.streamEnded, hasOutput: !worker.output.isEmpty,
                            in: &fds, order: &order)
            }
            _ = wait(&fds, active: active)
            active = false
            if fds[0].revents != 0 {
                active = true
                if !server.fill(), server.closed { leave() }
                while let (payload, descriptor) = server.next() { fromServer(payload, descriptor) }
            }
            for (k, entry) in fds.dropFirst().enumerated() where entry.revents != 0 {
                guard let worker = workers[order[k]] else { continue }
                active = true
                service(worker, entry.revents)
            }
            while let (source, _, bytes) = mpi.receive() {
                active = true
                fromRankZero(bytes, source: source)
            }
            progressSends()
            watch()
        }
    }

    // MARK: Rank 0's requests

    private func fromRankZero(_ bytes: [UInt8], source: Int) {
        var reader = MessageReader(bytes)
        guard let kind = reader.kind.flatMap(RankMessage.init(rawValue:)) else { return }
        if kind != .data { debugMPI("rank \(rank) got \(kind) \(bytes.count) bytes") }
        switch kind {
        case .spawn:
            guard let id = reader.get(UInt32.self) else { return }
            guard let record = freeRecords.popLast() else {
                refuse(id, "this rank has no room for another worker")
                return
            }
            workers[id] = Worker(id: id, record: record)
            var writer = MessageWriter(ServerMessage.spawn.rawValue)
            writer.put(id)
            writer.put(UInt32(record))
            writer.bytes.append(contentsOf: reader.rest())
            if !server.send(writer.bytes) { leave() }
        case .data:
            guard let id = reader.get(UInt32.self), let worker = workers[id], worker.fd >= 0 else { return }
            worker.output.append(reader.rest())
            if !worker.output.flush(to: worker.fd) { worker.output = PendingOutput() }
            endInputIfDue(worker)
        case .eof:
            guard let id = reader.get(UInt32.self), let worker = workers[id] else { return }
            worker.eofPending = true
            endInputIfDue(worker)
        case .kill:
            guard let id = reader.get(UInt32.self), let signal = reader.get(Int32.self),
                  let worker = workers[id], worker.pid > 0 else { return }
            killWorker(worker, signal)
        case .shutdown:
            leave(orderly: true)
        default:
            break
        }
    }

    private func refuse(_ id: UInt32, _ message: String) {
        var writer = MessageWriter(RankMessage.spawnFailed.rawValue)
        writer.put(id)
        writer.put(message)
        send(writer.bytes, to: 0)
    }

    /// After the host closed its end and what it sent was written, the
    /// worker's socket gets end of file: its loop returns.
    private func endInputIfDue(_ worker: Worker) {
        guard worker.eofPending, worker.output.isEmpty, worker.fd >= 0 else { return }
        shutdown(worker.fd, Int32(SHUT_WR))
        worker.eofPending = false
    }

    private func killWorker(_ worker: Worker, _ signal: Int32) {
        var writer = MessageWriter(ServerMessage.kill.rawValue)
        writer.put(Int32(worker.pid))
        writer.put(signal)
        _ = server.send(writer.bytes)
    }

    // MARK: The fork server

    private func fromServer(_ payload: [UInt8], _ descriptor: Int32?) {
        var reader = MessageReader(payload)
        debugMPI("rank \(rank) server says \(String(describing: reader.kind.flatMap(ServerMessage.init(rawValue:))))")
        switch reader.kind.flatMap(ServerMessage.init(rawValue:)) {
        case .spawned:
            guard let id = reader.get(UInt32.self), let pid = reader.get(Int32.self) else { return }
            guard let worker = workers[id], let descriptor else {
                if let descriptor { close(descriptor) }
                return
            }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            (worker.pid, worker.fd) = (pid, descriptor)
            byPid[pid] = id
            var writer = MessageWriter(RankMessage.spawned.rawValue)
            writer.put(id)
            writer.put(pid)
            send(writer.bytes, to: 0)
        case .failed:
            guard let id = reader.get(UInt32.self), let message = reader.getString() else { return }
            if let worker = workers.removeValue(forKey: id) { freeRecords.append(worker.record) }
            refuse(id, message)
        case .exited:
            guard let pid = reader.get(Int32.self), let status = reader.get(Int32.self),
                  let id = byPid.removeValue(forKey: pid), let worker = workers[id] else { return }
            worker.status = status
            finishIfGone(worker)
        default:
            break
        }
    }

    // MARK: Workers' streams

    private func service(_ worker: Worker, _ events: Int16) {
        if events & Int16(POLLOUT) != 0 {
            if !worker.output.flush(to: worker.fd) { worker.output = PendingOutput() }
            endInputIfDue(worker)
        }
        guard events & Int16(POLLIN | POLLHUP | POLLERR) != 0, !worker.streamEnded else { return }
        // One piece per round, so one busy worker does not hold the others.
        guard let piece = readPiece(worker.fd, into: &buffer) else { return }
        if piece.isEmpty {
            debugMPI("rank \(rank) worker \(worker.id) stream ended")
            worker.streamEnded = true
            finishIfGone(worker)
            return
        }
        var writer = MessageWriter(RankMessage.data.rawValue)
        writer.put(worker.id)
        writer.bytes.append(contentsOf: piece)
        send(writer.bytes, to: 0)
    }

    /// A worker whose stream ended and whose exit is known: rank 0 hears
    /// how it ended and where it was.
    private func finishIfGone(_ worker: Worker) {
        guard worker.streamEnded, let status = worker.status else { return }
        debugMPI("rank \(rank) worker \(worker.id) closed, status \(status)")
        let record = records[worker.record]
        var writer = MessageWriter(RankMessage.closed.rawValue)
        writer.put(worker.id)
        writer.put(status)
        writer.put(record.chunk)
        writer.put(record.item)
        writer.put(worker.timedOutItem)
        send(writer.bytes, to: 0)
        if worker.fd >= 0 { close(worker.fd) }
        worker.fd = -1
        workers[worker.id] = nil
        freeRecords.append(worker.record)
    }

    /// Progress to rank 0 (at most every 50 ms a worker, when it moved);
    /// tasks past their deadline and the grace second are killed.
    private func watch() {
        let now = Spin.now()
        for worker in workers.values where worker.pid > 0 && worker.status == nil {
            let record = records + worker.record
            let deadline = record.pointee.deadline
            if deadline > 0, worker.timedOutItem == 0, now > deadline + WorkerPool.timeoutGraceNanos {
                let item = record.pointee.item
                if record.pointee.deadline == deadline, item > 0 {
                    worker.timedOutItem = item
                    killWorker(worker, SIGKILL)
                }
            }
            let place = (record.pointee.chunk, record.pointee.item)
            if place != worker.lastSent, now - worker.lastSentAt >= 50_000_000 {
                worker.lastSent = place
                worker.lastSentAt = now
                var writer = MessageWriter(RankMessage.progress.rawValue)
                writer.put(worker.id)
                writer.put(place.0)
                writer.put(place.1)
                send(writer.bytes, to: 0)
            }
        }
    }

    /// The job ends (rank 0 said so, or a signal): the workers have a
    /// grace second to leave (they had end of file), then they, the fork
    /// server and this relay go.
    private func leave(orderly: Bool = false) -> Never {
        let deadline = Spin.now() + 1_000_000_000
        var fds = [pollfd(fd: server.fd, events: Int16(POLLIN), revents: 0)]
        while workers.values.contains(where: { $0.status == nil && $0.pid > 0 }) && Spin.now() < deadline
                && Relay.stopSignal == 0 {
            _ = poll(&fds, 1, 10)
            if !server.fill(), server.closed { break }
            while let (payload, descriptor) = server.next() { fromServer(payload, descriptor) }
        }
        // The fork server, told by end of file, kills what is left of its
        // workers and what they started, and leaves.
        close(server.fd)
        var status: Int32 = 0
        let gone = Spin.now() + 1_000_000_000
        while waitpid(serverPid, &status, WNOHANG) == 0 {
            if Spin.now() > gone {
                kill(serverPid, SIGKILL)
                _ = waitpid(serverPid, &status, 0)
                break
            }
            usleep(1000)
        }
        guard orderly else {
            // Not told by rank 0 (a signal, the fork server gone): the
            // job cannot go on without this rank; MPI ends it, and rank
            // 0's host is stopped as by Ctrl-C.
            mpi.abort(1)
            _exit(1)
        }
        drainSends()
        mpi.stop()
        _exit(0)
    }
}
