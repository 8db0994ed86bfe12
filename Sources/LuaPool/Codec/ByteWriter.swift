import Glibc

/// A growable buffer of bytes in malloc'd memory that numbers are written
/// to little-endian. Not copyable in spirit: the owner calls ``free()``.
struct ByteWriter {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        guard let base = malloc(self.capacity) else { fatalError("out of memory") }
        self.base = base
    }

    mutating func free() {
        Glibc.free(base)
        capacity = 0
        count = 0
    }

    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: count)
    }

    /// Makes room for `n` more bytes.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if n > capacity &- count { grow(toAtLeast: count + n) }
    }

    private mutating func grow(toAtLeast minimum: Int) {
        var newCapacity = capacity
        while newCapacity < minimum { newCapacity = newCapacity < (1 << 40) ? newCapacity * 2 : minimum }
        guard let newBase = realloc(base, newCapacity) else { fatalError("out of memory") }
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    /// Appends a tag byte and the little-endian bytes of `value`, in room
    /// the caller reserved.
    @inline(__always)
    mutating func appendReserved<T: FixedWidthInteger>(_ tag: UInt8, _ value: T) {
        base.storeBytes(of: tag, toByteOffset: count, as: UInt8.self)
        base.storeBytes(of: value.littleEndian, toByteOffset: count &+ 1, as: T.self)
        count &+= 1 + MemoryLayout<T>.size
    }

    /// Appends a tag byte and the little-endian bytes of `value`.
    @inline(__always)
    mutating func append<T: FixedWidthInteger>(_ tag: UInt8, _ value: T) {
        reserve(1 + MemoryLayout<T>.size)
        base.storeBytes(of: tag, toByteOffset: count, as: UInt8.self)
        base.storeBytes(of: value.littleEndian, toByteOffset: count &+ 1, as: T.self)
        count &+= 1 + MemoryLayout<T>.size
    }

    @inline(__always)
    mutating func append<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: T.self)
        count &+= MemoryLayout<T>.size
    }

    mutating func append(_ bytes: UnsafeRawPointer, count n: Int) {
        reserve(n)
        (base + count).copyMemory(from: bytes, byteCount: n)
        count += n
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if let source = bytes.baseAddress { append(source, count: bytes.count) }
    }

    /// Overwrites bytes already written at `offset` with `value`.
    mutating func patch<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    /// Sets `bits` in the byte at `offset`.
    mutating func setBits(_ bits: UInt8, at offset: Int) {
        let byte = base.load(fromByteOffset: offset, as: UInt8.self)
        base.storeBytes(of: byte | bits, toByteOffset: offset, as: UInt8.self)
    }
}
