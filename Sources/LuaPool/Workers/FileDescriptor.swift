import CSystem
import Glibc

/// A file descriptor, with the few system calls the pool makes on it.
/// Calls retry on EINTR; EBADF is a programming error and traps.
public struct FileDescriptor: Hashable, Sendable {
    public let raw: Int32

    public init(_ raw: Int32) { self.raw = raw }

    /// The send buffer asked for each end of a socket pair.
    static let socketBufferBytes: Int32 = 1 << 21

    /// A connected pair of Unix stream sockets, both close-on-exec.
    /// Wraps `socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)`.
    public static func socketPair() throws(SystemError) -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SystemError("socketpair")
        }
        // A larger send buffer lets a chunk of a big call go in one write
        // instead of many, each waiting for the other side to read. The
        // kernel caps it at net.core.wmem_max; a refusal changes nothing.
        var size: Int32 = FileDescriptor.socketBufferBytes
        for fd in fds {
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        return (FileDescriptor(fds[0]), FileDescriptor(fds[1]))
    }

    /// A pipe, both ends close-on-exec and non-blocking. Wraps `pipe`.
    public static func pipe() throws(SystemError) -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds {
            guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw SystemError("fcntl") }
            try FileDescriptor(fd).setNonBlocking(true)
        }
        return (FileDescriptor(fds[0]), FileDescriptor(fds[1]))
    }

    /// Wraps `close`. Errors other than EBADF are ignored: the descriptor
    /// is gone either way on Linux.
    public func close() {
        if Glibc.close(raw) != 0 && errno == EBADF {
            preconditionFailure("close of a descriptor that is not open: \(raw)")
        }
    }

    /// Sets or clears `O_NONBLOCK`. Wraps `fcntl(F_SETFL)`.
    public func setNonBlocking(_ on: Bool) throws(SystemError) {
        let flags = fcntl(raw, F_GETFL)
        guard flags >= 0 else { throw SystemError("fcntl") }
        let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        guard fcntl(raw, F_SETFL, wanted) == 0 else { throw SystemError("fcntl") }
    }

    /// Reads what is there, up to `buffer.count` bytes, blocking until
    /// something is (unless non-blocking). Returns 0 at end of file and
    /// nil when a non-blocking read finds nothing. Wraps `read`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        while true {
            let n = Glibc.read(raw, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN: return nil
            case EBADF: preconditionFailure("read of a descriptor that is not open: \(raw)")
            default: throw SystemError("read")
            }
        }
    }

    /// Reads what is there without blocking, whatever the descriptor's
    /// mode: nil when nothing is. Wraps `recv(MSG_DONTWAIT)`.
    public func receiveNow(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        while true {
            let n = recv(raw, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN: return nil
            default: throw SystemError("recv")
            }
        }
    }

    /// Sends what the socket takes now, never raising SIGPIPE; returns the
    /// count (0 when a non-blocking socket is full). Wraps
    /// `send(MSG_NOSIGNAL)`.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        while true {
            let n = Glibc.send(raw, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN: return 0
            case EBADF: preconditionFailure("send on a descriptor that is not open: \(raw)")
            default: throw SystemError("send")
            }
        }
    }

    /// Sends every byte on a blocking socket. Wraps `send(MSG_NOSIGNAL)`.
    public func sendAll(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = try send(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if n == 0 {
                var entry = pollfd(fd: raw, events: Int16(POLLOUT), revents: 0)
                _ = Glibc.poll(&entry, 1, -1)
            }
            offset += n
        }
    }

    /// Moves this descriptor onto `target` (closing what was there).
    /// Wraps `dup2`.
    public func duplicate(onto target: Int32) throws(SystemError) {
        while dup2(raw, target) < 0 {
            if errno != EINTR { throw SystemError("dup2") }
        }
    }
}
