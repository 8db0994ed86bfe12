import Glibc
import Synchronization

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
        ByteWriter.keep(base, capacity: capacity)
        base = nil
        capacity = 0
        count = 0
    }

    // MARK: A large buffer kept between messages

    /// Buffers of at least this size are kept after use, one at a time,
    /// for the next large message: growing a fresh one means mapping and
    /// faulting in every page again (a cost that grew per byte with the
    /// message's size), and freeing it unmapping them.
    static let spareMinimum = 1 << 20

    private struct Spare: @unchecked Sendable {
        var base: UnsafeMutableRawPointer?
        var capacity = 0
    }

    private static let spare = Mutex(Spare())

    /// Keeps `base` as the spare when it is large (and larger than the
    /// spare there is), else frees it.
    private static func keep(_ base: UnsafeMutableRawPointer?, capacity: Int) {
        guard let base else { return }
        guard capacity >= spareMinimum else {
            Glibc.free(base)
            return
        }
        let freed: UnsafeMutableRawPointer? = spare.withLock { spare in
            if spare.capacity >= capacity { return base }
            let old = spare.base
            spare = Spare(base: base, capacity: capacity)
            return old
        }
        Glibc.free(freed)
    }

    /// The spare, if it holds at least `capacity` bytes; it is no longer
    /// the spare then.
    private static func takeSpare(atLeast capacity: Int) -> (UnsafeMutableRawPointer, Int)? {
        spare.withLock { spare in
            guard let base = spare.base, spare.capacity >= capacity else { return nil }
            let taken = (base, spare.capacity)
            spare = Spare()
            return taken
        }
    }

    /// The bytes the spare takes.
    static var spareSize: Int { spare.withLock { $0.capacity } }

    /// Frees the spare: the process has been idle for a while (a worker
    /// between calls), so it gives the memory back.
    static func releaseSpare() {
        let freed = spare.withLock { spare in
            let base = spare.base
            spare = Spare()
            return base
        }
        Glibc.free(freed)
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
        if newCapacity >= ByteWriter.spareMinimum, let (spare, spareCapacity) = ByteWriter.takeSpare(atLeast: newCapacity) {
            if let base {
                spare.copyMemory(from: base, byteCount: count)
                Glibc.free(base)
            }
            base = spare
            capacity = spareCapacity
            return
        }
        guard let newBase = realloc(base, newCapacity) else { throw .outOfMemory() }
        base = newBase
        capacity = newCapacity
    }

    /// Lets `body` write up to `n` bytes at the end; it returns how many
    /// it wrote, which are kept.
    @inline(__always)
    mutating func write(upTo n: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) throws(CodecError) {
        try reserve(n)
        count &+= body(end.assumingMemoryBound(to: UInt8.self))
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
