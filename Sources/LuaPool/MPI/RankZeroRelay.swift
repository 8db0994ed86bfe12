import CSystem
import Glibc

/// The relay of rank 0: its MPI process, parent of the script host. It
/// gathers the other ranks' hellos and tells the host the world; then it
/// relays the streams of the host's remote workers (a socket pair each:
/// the host holds one end, this relay the other) to and from their ranks,
/// forwards the host's requests (start a worker, kill one) and the ranks'
/// news (started, where a worker is, how it ended). When the host ends,
/// it tells every rank to stop and leaves with the host's exit status. A
/// stop signal (Ctrl-C at `mpirun` arrives as SIGTERM) becomes the host's
/// Ctrl-C.
final class RankZeroRelay: Relay {
    private let host: MessageChannel
    private let hostPid: pid_t
    private let size: Int
    /// Messages for the host not yet written, in order (from
    /// `hostOutputHead`); the latest progress of each worker is kept
    /// apart, so a host busy with its own code does not make it pile up.
    private var hostOutput: [[UInt8]] = []
    private var hostOutputHead = 0
    private var pendingProgress: [UInt32: [UInt8]] = [:]

    private var hostOutputEmpty: Bool { hostOutputHead >= hostOutput.count && pendingProgress.isEmpty }

    private final class Stream {
        let id: UInt32
        let rank: Int
        var fd: Int32 = -1
        var output = PendingOutput()
        var inputEnded = false
        /// The worker is gone: the socket closes once its output is out.
        var closing = false
        init(id: UInt32, rank: Int) { (self.id, self.rank) = (id, rank) }
    }
    private var streams: [UInt32: Stream] = [:]
    private var buffer: [UInt8] = []

    init(mpi: MPILibrary, size: Int, host: MessageChannel, hostPid: pid_t) {
        (self.host, self.hostPid, self.size) = (host, hostPid, size)
        super.init(mpi: mpi, rank: 0)
    }

    func run() -> Never {
        // The world: every other rank's workers and host name.
        var hellos: [Int: (workers: UInt32, host: String)] = [:]
        while hellos.count < size - 1 {
            if let status = hostEnded() { leave(status) }
            if Relay.stopSignal != 0 { stopHost() }
            guard let (source, _, bytes) = mpi.receive() else {
                usleep(500)
                continue
            }
            var reader = MessageReader(bytes)
            guard reader.kind == RankMessage.hello.rawValue, let workers = reader.get(UInt32.self),
                  reader.get(UInt32.self) != nil, let name = reader.getString() else { continue }
            hellos[source] = (workers, name)
        }
        var world = MessageWriter(HostMessage.world.rawValue)
        world.put(UInt32(size))
        for rank in 1..<size {
            world.put(UInt32(rank))
            world.put(hellos[rank]!.workers)
            world.put(hellos[rank]!.host)
        }
        _ = host.send(world.bytes)

        var fds: [pollfd] = []
        var order: [UInt32] = []
        var active = true
        var stopped = false
        while true {
            if Relay.stopSignal != 0 && !stopped {
                stopped = true
                stopHost()
            }
            if let status = hostEnded() { leave(status) }
            fds.removeAll(keepingCapacity: true)
            order.removeAll(keepingCapacity: true)
            var hostEvents = Int16(POLLIN)
            if !hostOutputEmpty { hostEvents |= Int16(POLLOUT) }
            fds.append(pollfd(fd: host.fd, events: hostEvents, revents: 0))
            for stream in streams.values where stream.fd >= 0 {
                Relay.watch(stream.fd, id: stream.id, inputEnded: stream.inputEnded, hasOutput: !stream.output.isEmpty,
                            in: &fds, order: &order)
            }
            _ = wait(&fds, active: active)
            active = false
            if fds[0].revents & Int16(POLLOUT) != 0 { flushHost() }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                active = true
                _ = host.fill()
                while let (payload, _) = host.next() { fromHost(payload) }
            }
            for (k, entry) in fds.dropFirst().enumerated() where entry.revents != 0 {
                guard let stream = streams[order[k]] else { continue }
                active = true
                service(stream, entry.revents)
            }
            while let (source, _, bytes) = mpi.receive() {
                active = true
                fromRank(bytes, source: source)
            }
            progressSends()
        }
    }

    /// The host's exit status, once it ended.
    private func hostEnded() -> Int32? {
        var status: Int32 = 0
        let got = waitpid(hostPid, &status, WNOHANG)
        return got == hostPid ? status : nil
    }

    /// Ctrl-C for the host: it stops its calls and prints `interrupted`.
    private func stopHost() {
        kill(hostPid, SIGINT)
    }

    // MARK: The host

    private func fromHost(_ payload: [UInt8]) {
        var reader = MessageReader(payload)
        debugMPI("rank 0 host says \(String(describing: reader.kind.flatMap(HostMessage.init(rawValue:))))")
        switch reader.kind.flatMap(HostMessage.init(rawValue:)) {
        case .open:
            guard let id = reader.get(UInt32.self), let rank = reader.get(UInt32.self),
                  Int(rank) > 0, Int(rank) < size else { return }
            streams[id] = Stream(id: id, rank: Int(rank))
            var writer = MessageWriter(RankMessage.spawn.rawValue)
            writer.put(id)
            writer.bytes.append(contentsOf: reader.rest())
            send(writer.bytes, to: Int(rank))
        case .kill:
            guard let id = reader.get(UInt32.self), let signal = reader.get(Int32.self),
                  let stream = streams[id] else { return }
            var writer = MessageWriter(RankMessage.kill.rawValue)
            writer.put(id)
            writer.put(signal)
            send(writer.bytes, to: stream.rank)
        default:
            break
        }
    }

    /// Sends to the host without blocking (in order); a message that
    /// carries a descriptor waits for the ones before it.
    private func toHost(_ bytes: [UInt8], passing descriptor: Int32? = nil) {
        if descriptor == nil {
            hostOutput.append(bytes)
            flushHost()
            return
        }
        while !hostOutputEmpty {
            var entry = pollfd(fd: host.fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&entry, 1, 100)
            flushHost()
            if hostEnded() != nil { return }
        }
        _ = host.send(bytes, passing: descriptor)
    }

    /// Where a worker is: only the latest counts.
    private func progressToHost(_ id: UInt32, _ bytes: [UInt8]) {
        pendingProgress[id] = bytes
        flushHost()
    }

    private func flushHost() {
        while true {
            var entry = pollfd(fd: host.fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&entry, 1, 0) > 0, entry.revents & Int16(POLLOUT) != 0 else { return }
            if hostOutputHead < hostOutput.count {
                guard host.send(hostOutput[hostOutputHead]) else { return }
                hostOutputHead += 1
                if hostOutputHead == hostOutput.count {
                    hostOutput.removeAll(keepingCapacity: true)
                    hostOutputHead = 0
                }
            } else if let (id, bytes) = pendingProgress.first {
                guard host.send(bytes) else { return }
                pendingProgress[id] = nil
            } else {
                return
            }
        }
    }

    // MARK: The ranks

    private func fromRank(_ bytes: [UInt8], source: Int) {
        var reader = MessageReader(bytes)
        guard let kind = reader.kind.flatMap(RankMessage.init(rawValue:)), let id = reader.get(UInt32.self) else { return }
        if kind != .data { debugMPI("rank 0 got \(kind) for worker \(id) from rank \(source)") }
        switch kind {
        case .spawned:
            guard let pid = reader.get(Int32.self), let stream = streams[id] else { return }
            var fds: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                var failed = MessageWriter(HostMessage.openFailed.rawValue)
                failed.put(id)
                failed.put("socketpair: \(SystemError.describe(errno))")
                toHost(failed.bytes)
                return
            }
            var size: Int32 = FileDescriptor.socketBufferBytes
            for fd in fds { _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            stream.fd = fds[0]
            var opened = MessageWriter(HostMessage.opened.rawValue)
            opened.put(id)
            opened.put(pid)
            toHost(opened.bytes, passing: fds[1])
            close(fds[1])
        case .spawnFailed:
            streams[id] = nil
            var failed = MessageWriter(HostMessage.openFailed.rawValue)
            failed.put(id)
            failed.put(reader.getString() ?? "?")
            toHost(failed.bytes)
        case .data:
            guard let stream = streams[id], stream.fd >= 0 else { return }
            stream.output.append(reader.rest())
            if !stream.output.flush(to: stream.fd) { stream.output = PendingOutput() }
            closeIfDone(stream)
        case .progress:
            var writer = MessageWriter(HostMessage.progress.rawValue)
            writer.put(id)
            writer.bytes.append(contentsOf: reader.rest())
            progressToHost(id, writer.bytes)
        case .closed:
            // How it ended goes to the host before its socket closes (its
            // last progress is in it).
            pendingProgress[id] = nil
            var writer = MessageWriter(HostMessage.exited.rawValue)
            writer.put(id)
            writer.bytes.append(contentsOf: reader.rest())
            toHost(writer.bytes)
            if let stream = streams[id] {
                stream.closing = true
                closeIfDone(stream)
            }
        default:
            break
        }
    }

    private func closeIfDone(_ stream: Stream) {
        guard stream.closing, stream.output.isEmpty else { return }
        if stream.fd >= 0 { close(stream.fd) }
        stream.fd = -1
        streams[stream.id] = nil
    }

    private func service(_ stream: Stream, _ events: Int16) {
        if events & Int16(POLLOUT) != 0 {
            if !stream.output.flush(to: stream.fd) { stream.output = PendingOutput() }
            closeIfDone(stream)
        }
        guard stream.fd >= 0, events & Int16(POLLIN | POLLHUP | POLLERR) != 0, !stream.inputEnded else { return }
        guard let piece = readPiece(stream.fd, into: &buffer) else { return }
        if piece.isEmpty {
            debugMPI("rank 0 worker \(stream.id) input ended")
            // The host closed its end (or shut it for writing).
            stream.inputEnded = true
            var writer = MessageWriter(RankMessage.eof.rawValue)
            writer.put(stream.id)
            send(writer.bytes, to: stream.rank)
            return
        }
        var writer = MessageWriter(RankMessage.data.rawValue)
        writer.put(stream.id)
        writer.bytes.append(contentsOf: piece)
        send(writer.bytes, to: stream.rank)
    }

    /// The host ended: every rank stops, and so does this one, with the
    /// host's status (a death by a signal as the shell would report it).
    private func leave(_ status: Int32) -> Never {
        for rank in 1..<max(1, size) {
            send([RankMessage.shutdown.rawValue], to: rank)
        }
        drainSends()
        mpi.stop()
        let exit = WorkerExit(status: status)
        switch exit {
        case .exited(let code): _exit(code)
        case .signaled(let signal): _exit(128 + signal)
        }
    }
}
