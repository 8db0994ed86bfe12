import Glibc

/// A growable buffer of bytes in malloc'd memory that numbers are written
/// to little-endian. Not copyable in spirit: the owner calls ``free()``.
///
/// When memory runs out, growing throws ``CodecError/outOfMemory()``
/// (`not enough memory`) and the bytes written so far stay as they were.
struct ByteWriter {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var count = 0
    private var capacity = 0

    init() {}

    mutating func free() {
        Glibc.free(base)
        base = nil
        capacity = 0
        count = 0
    }

    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }

    /// Makes room for `n` more bytes.
    @inline(__always)
    mutating func reserve(_ n: Int) throws(CodecError) {
        if n > capacity &- count { try grow(toAtLeast: count, plus: n) }
    }

    /// Doubles the capacity, or takes exactly what is needed when that is
    /// more: one large string costs its size, not the next power of two.
    @inline(never)
    private mutating func grow(toAtLeast count: Int, plus n: Int) throws(CodecError) {
        let (minimum, overflow) = count.addingReportingOverflow(n)
        guard !overflow else { throw .outOfMemory() }
        let doubled = capacity < Int.max / 2 ? Swift.max(capacity * 2, 256) : minimum
        let newCapacity = Swift.max(doubled, minimum)
        guard let newBase = realloc(base, newCapacity) else { throw .outOfMemory() }
        base = newBase
        capacity = newCapacity
    }

    /// Where the next byte goes; valid after ``reserve(_:)``.
    @inline(__always)
    private var end: UnsafeMutableRawPointer { base.unsafelyUnwrapped + count }

    @inline(__always)
    mutating func append(_ byte: UInt8) throws(CodecError) {
        try reserve(1)
        end.storeBytes(of: byte, as: UInt8.self)
        count &+= 1
    }

    /// Appends a tag byte and the little-endian bytes of `value`, in room
    /// the caller reserved.
    @inline(__always)
    mutating func appendReserved<T: FixedWidthInteger>(_ tag: UInt8, _ value: T) {
        let end = self.end
        end.storeBytes(of: tag, as: UInt8.self)
        end.storeBytes(of: value.littleEndian, toByteOffset: 1, as: T.self)
        count &+= 1 + MemoryLayout<T>.size
    }

    /// Appends a tag byte and the little-endian bytes of `value`.
    @inline(__always)
    mutating func append<T: FixedWidthInteger>(_ tag: UInt8, _ value: T) throws(CodecError) {
        try reserve(1 + MemoryLayout<T>.size)
        appendReserved(tag, value)
    }

    @inline(__always)
    mutating func append<T: FixedWidthInteger>(_ value: T) throws(CodecError) {
        try reserve(MemoryLayout<T>.size)
        end.storeBytes(of: value.littleEndian, as: T.self)
        count &+= MemoryLayout<T>.size
    }

    mutating func append(_ bytes: UnsafeRawPointer, count n: Int) throws(CodecError) {
        try reserve(n)
        end.copyMemory(from: bytes, byteCount: n)
        count += n
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(CodecError) {
        if let source = bytes.baseAddress { try append(source, count: bytes.count) }
    }

    /// The byte written at `offset`.
    func byte(at offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < count, "no byte there")
        return base.unsafelyUnwrapped.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// Overwrites bytes already written at `offset` with `value`.
    mutating func patch<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count, "no bytes there")
        base.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    /// Sets `bits` in the byte at `offset`.
    mutating func setBits(_ bits: UInt8, at offset: Int) {
        let byte = byte(at: offset)
        base.unsafelyUnwrapped.storeBytes(of: byte | bits, toByteOffset: offset, as: UInt8.self)
    }
}
