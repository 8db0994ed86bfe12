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

    func truncated() -> CodecError {
        .badData("truncated", at: offset)
    }
}
