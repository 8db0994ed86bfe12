import Glibc

/// Length-prefixed frames on a byte stream: a 4-byte little-endian length,
/// then that many bytes.
public enum Frame {
    /// The largest frame either side accepts: 1 GiB, or less when the
    /// environment variable `LUAPOOL_FRAME_LIMIT` says so when it is first
    /// read (a testing aid: a whole number of bytes from 4096 to 1 GiB;
    /// anything else is ignored).
    public static let maxLength: Int = {
        let largest = 1 << 30
        guard let text = getenv("LUAPOOL_FRAME_LIMIT"), let limit = Int(String(cString: text)),
              limit >= 4096, limit <= largest else { return largest }
        return limit
    }()
    public static let headerLength = 4

    /// Appends a frame holding `payload` to `buffer`.
    public static func append(_ payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        appendHeader(length: payload.count, to: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// Writes the length of the frame whose header starts at `start`: all
    /// the bytes after the header, to the end of `buffer`. The caller made
    /// sure they are at most ``maxLength`` (``Wire`` refuses a longer
    /// message).
    public static func patchLength(of buffer: inout [UInt8], at start: Int) {
        let length = buffer.count - start - headerLength
        precondition(length <= maxLength, "frame of \(length) bytes")
        for k in 0..<4 { buffer[start + k] = UInt8(truncatingIfNeeded: UInt32(length) >> (8 * UInt32(k))) }
    }

    /// Appends the header of a frame of `length` bytes, at most
    /// ``maxLength``; the caller appends the bytes.
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
///
/// Bytes are read straight into its buffer (``fill(_:)``), with room for
/// the whole rest of the frame being received, so a large frame takes few
/// reads and no extra copy.
public final class FrameReader {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    /// The held bytes are `start ..< end` of `storage`.
    private var start = 0
    private var end = 0

    /// The least room offered to a read.
    static let readSize = 1 << 16
    /// The most room offered to one read.
    static let largestRead = 1 << 24
    /// A buffer larger than this is freed once it holds nothing, so an
    /// idle worker does not keep the memory of its largest frame.
    private let keptCapacity: Int

    /// `keptCapacity`: the largest buffer ``shrink()`` keeps
    /// (256 KiB by default, for a worker; the host keeps more rather than
    /// allocate again for every large answer).
    public init(keptCapacity: Int = 1 << 18) {
        self.keptCapacity = keptCapacity
    }

    deinit { free(storage) }

    /// Whether bytes are held: whole frames not handed out yet, or part of
    /// one waiting for the rest.
    public var holdsBytes: Bool { start < end }

    /// The bytes its buffer takes.
    public var bufferSize: Int { capacity }

    /// Appends bytes read from the stream.
    /// Returns false, keeping nothing, when memory ran out.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard let room = reserve(bytes.count) else { return false }
        room.copyMemory(from: bytes)
        end += bytes.count
        return true
    }

    /// The size of a buffer that could not be allocated (memory ran out
    /// while a frame was received), once that happened: the stream cannot
    /// be read further.
    public private(set) var failedAllocation: Int?

    /// Calls `read` with the free room after the held bytes (at least
    /// 64 KiB, or the rest of the frame being received if larger, up to
    /// 16 MiB) and keeps
    /// what it reports read. Returns `read`'s answer (nil: nothing there,
    /// 0: end of file) and whether it filled the room, so the caller knows
    /// more may be waiting. When memory for the room runs out, nothing is
    /// read: nil, with ``failedAllocation`` set.
    public func fill<E: Error>(_ read: (UnsafeMutableRawBufferPointer) throws(E) -> Int?) throws(E) -> (count: Int?, full: Bool) {
        var wanted = FrameReader.readSize
        if let length = pendingLength() {
            // Room for the rest of the frame, but never more than 16 MiB
            // ahead of the bytes: a length alone reserves nothing large.
            let rest = min(length, Frame.maxLength) + Frame.headerLength - (end - start)
            wanted = max(wanted, min(rest, FrameReader.largestRead))
        }
        guard let room = reserve(wanted) else { return (nil, false) }
        let count = try read(room)
        if let count, count > 0 { end += count }
        return (count, count == room.count)
    }

    /// Why a stream is refused: a frame longer than ``Frame/maxLength``.
    /// Reads `frame of 1610612736 bytes is over the limit of 1073741824`.
    public struct OversizedFrame: Error, CustomStringConvertible {
        public let length: Int
        public var description: String { "frame of \(length) bytes is over the limit of \(Frame.maxLength)" }
    }

    /// Calls `body` with the next whole frame's payload, if one is there;
    /// returns false when more bytes are needed.
    public func next(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        guard let length = pendingLength() else { return false }
        guard length <= Frame.maxLength else { throw OversizedFrame(length: length) }
        guard end - start - Frame.headerLength >= length else { return false }
        let from = start + Frame.headerLength
        start = from + length
        try body(UnsafeRawBufferPointer(start: storage! + from, count: length))
        if start == end { (start, end) = (0, 0) }
        return true
    }

    /// Frees a buffer larger than the kept capacity once it holds nothing:
    /// called when its owner has been idle a while. While work keeps
    /// coming the buffer stays, so large frames in a row do not fault
    /// their pages in again.
    public func shrink() {
        guard start == end, capacity > keptCapacity else { return }
        free(storage)
        (storage, capacity, start, end) = (nil, 0, 0, 0)
    }

    /// Hands the bytes held after the frames handed out (all of them,
    /// outside ``next(_:)``; inside its body, those after the frame being
    /// handled, which stays where it is) to `body`, and forgets them.
    public func takeRest(_ body: (UnsafeRawBufferPointer) -> Void) {
        guard end > start, let storage else { return }
        body(UnsafeRawBufferPointer(start: storage + start, count: end - start))
        end = start
    }

    /// The length in the header of the frame being received, once its
    /// four bytes are in.
    private func pendingLength() -> Int? {
        guard end - start >= Frame.headerLength, let storage else { return nil }
        return Int(UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
    }

    /// Makes room for at least `count` more bytes after the held ones;
    /// nil when memory ran out (``failedAllocation`` says how much).
    private func reserve(_ count: Int) -> UnsafeMutableRawBufferPointer? {
        if start == end { (start, end) = (0, 0) }
        if capacity - end < count, start > 0 {
            memmove(storage!, storage! + start, end - start)
            (start, end) = (0, end - start)
        }
        if capacity - end < count {
            var size = max(capacity * 2, end + count)
            var grown = realloc(storage, size)
            if grown == nil, size > end + count {
                size = end + count
                grown = realloc(storage, size)
            }
            guard let grown else {
                failedAllocation = size
                return nil
            }
            (storage, capacity) = (grown, size)
        }
        return UnsafeMutableRawBufferPointer(start: storage! + end, count: capacity - end)
    }
}
