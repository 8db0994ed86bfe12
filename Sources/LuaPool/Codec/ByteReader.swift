/// Reads little-endian numbers and byte runs from untrusted memory. Every
/// read checks what remains first and throws `bad data: truncated ...`
/// instead of reading past the end.
struct ByteReader {
    private let start: UnsafeRawPointer
    private var position: UnsafeRawPointer
    private let end: UnsafeRawPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; any valid pointer will
        // do since nothing is ever read from it.
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        start = base
        position = base
        end = base + bytes.count
    }

    /// Bytes not read yet.
    var remaining: Int { end - position }

    /// How far in the reader is, for error messages.
    var offset: Int { position - start }

    @inline(__always)
    mutating func readByte() throws(CodecError) -> UInt8 {
        guard position < end else { throw truncated() }
        let byte = position.load(as: UInt8.self)
        position += 1
        return byte
    }

    /// The next byte, not consumed.
    @inline(__always)
    func peekByte() throws(CodecError) -> UInt8 {
        guard position < end else { throw truncated() }
        return position.load(as: UInt8.self)
    }

    @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(CodecError) -> T {
        guard MemoryLayout<T>.size <= end - position else { throw truncated() }
        let value = T(littleEndian: position.loadUnaligned(as: T.self))
        position += MemoryLayout<T>.size
        return value
    }

    /// The next `count` bytes, without copying; `count` must not exceed
    /// ``remaining`` (checked).
    @inline(__always)
    mutating func readBytes(_ count: Int) throws(CodecError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= end - position else { throw truncated() }
        let bytes = UnsafeRawBufferPointer(start: position, count: count)
        position += count
        return bytes
    }

    /// A number record (tag, then 1, 4 or 8 bytes) read with one bounds
    /// check when at least 9 bytes remain: its tag and value bits, or nil
    /// (nothing read) for another tag or near the end, where the checked
    /// reads take over.
    @inline(__always)
    mutating func readNumberQuickly() -> (tag: UInt8, bits: Int64)? {
        guard end - position >= 9 else { return nil }
        let tag = position.load(as: UInt8.self)
        let value: Int64
        switch tag {
        case Tag.int8:
            value = Int64(position.load(fromByteOffset: 1, as: Int8.self))
            position += 2
        case Tag.int32:
            value = Int64(Int32(littleEndian: position.loadUnaligned(fromByteOffset: 1, as: Int32.self)))
            position += 5
        case Tag.int64, Tag.float:
            value = Int64(littleEndian: position.loadUnaligned(fromByteOffset: 1, as: Int64.self))
            position += 9
        default:
            return nil
        }
        return (tag, value)
    }

    /// Lets `body` read from the bytes left (it gets where they start and
    /// how many there are); it returns how many it read.
    @inline(__always)
    mutating func read(_ body: (UnsafePointer<UInt8>, Int) -> Int) {
        position += body(position.assumingMemoryBound(to: UInt8.self), end - position)
    }

    func truncated() -> CodecError {
        .badData("truncated", at: offset)
    }
}
