import CSystem
import Glibc

/// Whole messages of bytes over a Unix stream socket, between the
/// processes of one rank (the script host and its relay, a relay and its
/// fork server): each is a 4-byte length, then the bytes. A message may
/// carry a descriptor (`SCM_RIGHTS`), sent with its first byte; the
/// length's top bit says so.
final class MessageChannel {
    let fd: Int32
    private var input: [UInt8] = []
    private var start = 0
    private var descriptors: [Int32] = []
    /// Bytes not yet written (non-blocking writes).
    private var output: [UInt8] = []
    private(set) var closed = false

    init(fd: Int32) { self.fd = fd }

    static let carriesDescriptor: UInt32 = 1 << 31

    /// Sends a message, blocking until it is all written (with a
    /// descriptor to pass, if any).
    func send(_ payload: [UInt8], passing descriptor: Int32? = nil) -> Bool {
        var header = UInt32(payload.count)
        if descriptor != nil { header |= MessageChannel.carriesDescriptor }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + payload.count)
        withUnsafeBytes(of: header.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        var sent = 0
        if let descriptor {
            guard let first = sendWithDescriptor(bytes, descriptor) else { return false }
            sent = first
        }
        while sent < bytes.count {
            let wrote = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if wrote < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 100)
                    continue
                }
                return false
            }
            sent += wrote
        }
        return true
    }

    private func sendWithDescriptor(_ bytes: [UInt8], _ descriptor: Int32) -> Int? {
        var control = [UInt8](repeating: 0, count: Int(csystem_cmsg_space_int()))
        var result: Int = -1
        bytes.withUnsafeBytes { raw in
            MessageChannel.withMessage(UnsafeMutableRawBufferPointer(mutating: raw), control: &control) { message in
                csystem_cmsg_put_fd(&message, descriptor)
                repeat {
                    result = sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                } while result < 0 && errno == EINTR
            }
        }
        return result < 0 ? nil : result
    }

    /// A `msghdr` over `data` (one buffer) and `control`, for sendmsg and
    /// recvmsg.
    private static func withMessage(_ data: UnsafeMutableRawBufferPointer, control: inout [UInt8],
                                    _ body: (inout msghdr) -> Void) {
        control.withUnsafeMutableBytes { controlRaw in
            var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
            withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = controlRaw.baseAddress
                message.msg_controllen = controlRaw.count
                body(&message)
            }
        }
    }

    /// Where ``fill()`` receives: kept from one call to the next (the
    /// relays call it on every wake-up).
    private var block = [UInt8](repeating: 0, count: 1 << 16)
    private var control = [UInt8](repeating: 0, count: Int(csystem_cmsg_space_int()) * 4)

    /// Reads what the socket holds now (non-blocking socket), keeping
    /// descriptors that come with it. False at end of file or on error.
    func fill() -> Bool {
        while true {
            var got = 0
            var received: [Int32] = []
            let fd = self.fd
            block.withUnsafeMutableBytes { raw in
                MessageChannel.withMessage(raw, control: &control) { message in
                    got = recvmsg(fd, &message, Int32(MSG_DONTWAIT | MSG_CMSG_CLOEXEC))
                    if got > 0 {
                        var one: Int32 = -1
                        var index: Int32 = 0
                        while csystem_cmsg_get_fd(&message, index, &one) != 0 {
                            received.append(one)
                            index += 1
                        }
                    }
                }
            }
            descriptors.append(contentsOf: received)
            if got > 0 {
                input.append(contentsOf: block[..<got])
                continue
            }
            if got == 0 {
                closed = true
                return false
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return true }
            closed = true
            return false
        }
    }

    /// The next whole message read, with its descriptor, if any.
    func next() -> (payload: [UInt8], descriptor: Int32?)? {
        guard input.count - start >= 4 else { return nil }
        let header = input.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self)) }
        let length = Int(header & ~MessageChannel.carriesDescriptor)
        guard input.count - start >= 4 + length else { return nil }
        let payload = Array(input[(start + 4)..<(start + 4 + length)])
        start += 4 + length
        if start > 1 << 16, start * 2 > input.count {
            input.removeSubrange(..<start)
            start = 0
        }
        var descriptor: Int32?
        if header & MessageChannel.carriesDescriptor != 0, !descriptors.isEmpty {
            descriptor = descriptors.removeFirst()
        }
        return (payload, descriptor)
    }

    /// Waits for the next message (at most `timeout` seconds, nil: no
    /// limit); nil at end of file or when the time is up.
    func waitNext(timeout: Double? = nil) -> (payload: [UInt8], descriptor: Int32?)? {
        let deadline = timeout.map { Spin.now() + Int64($0 * 1e9) }
        while true {
            if let message = next() { return message }
            if closed { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            var millis: Int32 = -1
            if let deadline {
                let left = deadline - Spin.now()
                if left <= 0 { return nil }
                millis = Int32(min(Int64(Int32.max), left / 1_000_000 + 1))
            }
            let ready = poll(&entry, 1, millis)
            if ready < 0 && errno != EINTR { return nil }
            if ready > 0 && !fill() && next() == nil { return nil }
        }
    }
}

/// Builds a message: fixed-width little-endian fields and byte strings.
struct MessageWriter {
    var bytes: [UInt8] = []

    init(_ kind: UInt8) { bytes.append(kind) }

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func put(bytes value: [UInt8]) {
        put(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func put(_ text: String) { put(bytes: Array(text.utf8)) }
}

/// Reads a message that ``MessageWriter`` built; every read is checked.
struct MessageReader {
    let bytes: [UInt8]
    var at = 1

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var kind: UInt8? { bytes.first }

    mutating func get<T: FixedWidthInteger>(_ type: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard at + size <= bytes.count else { return nil }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
        at += size
        return value
    }

    mutating func getBytes() -> [UInt8]? {
        guard let count = get(UInt32.self), at + Int(count) <= bytes.count else { return nil }
        defer { at += Int(count) }
        return Array(bytes[at..<(at + Int(count))])
    }

    mutating func getString() -> String? { getBytes().map { String(decoding: $0, as: UTF8.self) } }

    /// What is left.
    mutating func rest() -> ArraySlice<UInt8> {
        defer { at = bytes.count }
        return bytes[min(at, bytes.count)...]
    }
}
