/// Length-prefixed frames on a byte stream: a 4-byte little-endian length,
/// then that many bytes.
public enum Frame {
    /// The largest frame either side accepts: 1 GiB.
    public static let maxLength = 1 << 30
    public static let headerLength = 4

    /// Appends a frame holding `payload` to `buffer`.
    public static func append(_ payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        appendHeader(length: payload.count, to: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// Writes the length of the frame whose header starts at `start`: all
    /// the bytes after the header, to the end of `buffer`.
    public static func patchLength(of buffer: inout [UInt8], at start: Int) {
        let length = buffer.count - start - headerLength
        precondition(length <= maxLength, "frame of \(length) bytes")
        for k in 0..<4 { buffer[start + k] = UInt8(truncatingIfNeeded: UInt32(length) >> (8 * UInt32(k))) }
    }

    /// Appends the header of a frame of `length` bytes; the caller appends
    /// the bytes.
    public static func appendHeader(length: Int, to buffer: inout [UInt8]) {
        precondition(length <= maxLength, "frame of \(length) bytes")
        let n = UInt32(length)
        buffer.append(UInt8(truncatingIfNeeded: n))
        buffer.append(UInt8(truncatingIfNeeded: n >> 8))
        buffer.append(UInt8(truncatingIfNeeded: n >> 16))
        buffer.append(UInt8(truncatingIfNeeded: n >> 24))
    }
}

/// Collects bytes read from a stream and hands out whole frames.
public struct FrameReader {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Whether a partial frame is waiting for more bytes.
    public var hasPartialFrame: Bool { start < buffer.count }

    /// Appends bytes read from the stream.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Why a stream is refused: a frame longer than ``Frame/maxLength``.
    public struct OversizedFrame: Error { public let length: Int }

    /// Calls `body` with the next whole frame's payload, if one is there;
    /// returns false when more bytes are needed.
    public mutating func next(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        let available = buffer.count - start
        guard available >= Frame.headerLength else { return false }
        let length = buffer.withUnsafeBytes { raw in
            Int(raw.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian)
        }
        guard length <= Frame.maxLength else { throw OversizedFrame(length: length) }
        guard available - Frame.headerLength >= length else { return false }
        let from = start + Frame.headerLength
        start = from + length
        try buffer.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[from..<(from + length)]))
        }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 && start > buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return true
    }
}
