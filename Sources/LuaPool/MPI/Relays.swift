import CSystem
import Glibc

/// What relays share: the MPI library, the sends in flight, the signals
/// that stop them, and a poll loop over sockets and MPI with a short
/// back-off (MPI is never waited on in a blocking call).
class Relay {
    let mpi: MPILibrary
    let rank: Int
    private var sends: [MPILibrary.Send] = []
    /// When the relay last did something: the longer it has been idle,
    /// the longer it sleeps between looks at MPI (a fiftieth of the idle
    /// time, at most 5 ms), so that an idle relay costs little and a
    /// message waits at most 2% of the time that passed before it.
    private var idleSince: Int64 = 0

    nonisolated(unsafe) static var stopSignal: Int32 = 0

    init(mpi: MPILibrary, rank: Int) {
        (self.mpi, self.rank) = (mpi, rank)
        let handler: @convention(c) (Int32) -> Void = { Relay.stopSignal = $0 }
        signal(SIGTERM, handler)
        signal(SIGINT, handler)
        signal(SIGHUP, handler)
        signal(SIGPIPE, SIG_IGN)
    }

    static let tag: Int32 = 1
    /// The largest piece of a worker's stream in one MPI message.
    static let pieceBytes = 1 << 20

    func send(_ bytes: [UInt8], to destination: Int) {
        if let send = mpi.send(bytes, to: destination, tag: Relay.tag) {
            if !mpi.isDone(send) { sends.append(send) }
        }
    }

    /// Drops the sends that completed.
    func progressSends() {
        guard !sends.isEmpty else { return }
        sends.removeAll { mpi.isDone($0) }
    }

    /// Waits on `fds` for at most the back-off; `active` says whether the
    /// last round did anything.
    func wait(_ fds: inout [pollfd], active: Bool) -> Int32 {
        let now = Spin.now()
        if active { idleSince = now }
        let millis = sends.isEmpty ? Int32(min(5, (now - idleSince) / 50_000_000)) : 0
        return poll(&fds, nfds_t(fds.count), millis)
    }

    /// Adds a worker's socket to a poll round when there is something to
    /// wait for on it: its input, until it ended, or output to write.
    static func watch(_ fd: Int32, id: UInt32, inputEnded: Bool, hasOutput: Bool,
                      in fds: inout [pollfd], order: inout [UInt32]) {
        var events: Int16 = inputEnded ? 0 : Int16(POLLIN)
        if hasOutput { events |= Int16(POLLOUT) }
        // (A stream that ended would wake poll at once with POLLHUP.)
        guard events != 0 else { return }
        fds.append(pollfd(fd: fd, events: events, revents: 0))
        order.append(id)
    }

    /// Sends what is still in flight, for at most a second (before
    /// `MPI_Finalize`).
    func drainSends() {
        let deadline = Spin.now() + 1_000_000_000
        while !sends.isEmpty && Spin.now() < deadline {
            progressSends()
            _ = mpi.receive()
            usleep(200)
        }
    }
}

/// With `LUAPOOL_MPI_DEBUG` set, the relays and the host say what they
/// do on stderr (for finding a stuck message).
let mpiDebug = getenv("LUAPOOL_MPI_DEBUG") != nil

func debugMPI(_ text: @autoclosure () -> String) {
    guard mpiDebug else { return }
    fputs("[mpi \(getpid())] \(text())\n", stderr)
}

/// A byte stream's pending output to a non-blocking socket.
struct PendingOutput {
    var bytes: [UInt8] = []
    var sent = 0

    var isEmpty: Bool { sent >= bytes.count }

    mutating func append(_ more: ArraySlice<UInt8>) {
        if isEmpty {
            bytes.removeAll(keepingCapacity: true)
            sent = 0
        } else if sent > 1 << 20, sent * 2 > bytes.count {
            // A long backlog keeps what is left, not all it ever held.
            bytes.removeSubrange(..<sent)
            sent = 0
        }
        bytes.append(contentsOf: more)
    }

    /// Writes what the socket takes; false when the socket failed.
    mutating func flush(to fd: Int32) -> Bool {
        while !isEmpty {
            let wrote = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if wrote < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
            sent += wrote
        }
        return true
    }
}

/// Reads up to a piece of a stream from a non-blocking socket: the
/// bytes, an empty array at end of file, nil when nothing is there.
func readPiece(_ fd: Int32, into buffer: inout [UInt8]) -> ArraySlice<UInt8>? {
    if buffer.count < Relay.pieceBytes { buffer = [UInt8](repeating: 0, count: Relay.pieceBytes) }
    while true {
        let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if got > 0 { return buffer[..<got] }
        if got == 0 { return [] }
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
        return []
    }
}
