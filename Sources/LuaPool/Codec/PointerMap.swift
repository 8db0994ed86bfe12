import Synchronization

/// A hash map from object pointers (`lua_topointer`, `lua_upvalueid`) to
/// two integers, with open addressing: the encoder's memory of what it has
/// written already. Cheaper than `Dictionary` on the hot path of tables.
/// A struct over manually managed memory (so that no access to it needs a
/// run-time exclusivity check); the owner calls ``free()``.
///
/// A large map's memory is kept, cleared, for the next large one (see
/// ``Spare``): a message of many tables (a chunk of records, its answer)
/// would otherwise grow a new map from 16 slots through a dozen doublings,
/// each a rehash and a large allocation and free, which make the C
/// library consolidate the small blocks Lua freed.
struct PointerMap {
    struct Value {
        var a: Int
        var b: Int
    }

    private var keys: UnsafeMutablePointer<UnsafeRawPointer?>
    private var values: UnsafeMutablePointer<Value>
    private var mask: Int
    private var shift: Int
    private(set) var count = 0

    /// An empty map that allocates nothing until the first insertion:
    /// most messages of a pool are numbers and never use it.
    init() {
        keys = PointerMap.noKeys
        values = PointerMap.noValues
        mask = 0
        shift = 64
    }

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = .allocate(capacity: size)
        keys.initialize(repeating: nil, count: size)
        values = .allocate(capacity: size)
        mask = size - 1
        shift = 64 - size.trailingZeroBitCount
    }

    /// The one empty slot an unallocated map reads (never written).
    private static let noKeys: UnsafeMutablePointer<UnsafeRawPointer?> = {
        let keys = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: 1)
        keys.initialize(to: nil)
        return keys
    }()
    private static let noValues = UnsafeMutablePointer<Value>.allocate(capacity: 1)

    func free() {
        guard mask > 0 else { return }
        let size = mask + 1
        if size >= Spare.smallest && size <= Spare.largest {
            keys.update(repeating: nil, count: size)
            Spare.offer(keys: keys, values: values, size: size)
        } else {
            keys.deallocate()
            values.deallocate()
        }
    }

    /// The memory of one large map, its keys all empty.
    enum Spare {
        /// Maps of this many slots or more are kept...
        static let smallest = 1 << 12
        /// ...up to this many (24 bytes a slot).
        static let largest = 1 << 17

        fileprivate struct Memory: @unchecked Sendable {
            let keys: UnsafeMutablePointer<UnsafeRawPointer?>
            let values: UnsafeMutablePointer<Value>
            let size: Int

            func deallocate() {
                keys.deallocate()
                values.deallocate()
            }
        }

        /// Encoders may run on several threads (the tests do).
        private static let kept = Mutex<Memory?>(nil)

        /// Keeps the larger of this and what is kept; frees the other.
        static func offer(keys: UnsafeMutablePointer<UnsafeRawPointer?>, values: UnsafeMutablePointer<Value>, size: Int) {
            let offered = Memory(keys: keys, values: values, size: size)
            let freed = kept.withLock { kept -> Memory? in
                guard let old = kept else {
                    kept = offered
                    return nil
                }
                if old.size >= size { return offered }
                kept = offered
                return old
            }
            freed?.deallocate()
        }

        /// What is kept, if it has at least `size` slots.
        fileprivate static func take(atLeast size: Int) -> Memory? {
            kept.withLock { kept in
                guard let memory = kept, memory.size >= size else { return nil }
                kept = nil
                return memory
            }
        }

        /// Frees what is kept.
        static func release() {
            kept.withLock { kept in
                let memory = kept
                kept = nil
                return memory
            }?.deallocate()
        }
    }

    @inline(__always)
    private func home(_ key: UnsafeRawPointer) -> Int {
        Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: key)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The slot holding `key`, or nil.
    func find(_ key: UnsafeRawPointer) -> Int? {
        var slot = home(key)
        while let k = keys[slot] {
            if k == key { return slot }
            slot = (slot &+ 1) & mask
        }
        return nil
    }

    /// The slot already holding `key`; or, when there is none, inserts
    /// `key` with `value` and returns nil.
    @inline(__always)
    mutating func findOrInsert(_ key: UnsafeRawPointer, _ value: Value) -> Int? {
        if mask == 0 { self = PointerMap(capacity: 8) }
        var slot = home(key)
        while let k = keys[slot] {
            if k == key { return slot }
            slot = (slot &+ 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
        if count * 2 > mask { grow() }
        return nil
    }

    subscript(slot: Int) -> Value {
        get { values[slot] }
        nonmutating set { values[slot] = newValue }
    }

    private mutating func grow() {
        let (oldKeys, oldValues, oldSize) = (keys, values, mask + 1)
        var size = oldSize * 2
        if size >= Spare.smallest, let spare = Spare.take(atLeast: size) {
            (keys, values, size) = (spare.keys, spare.values, spare.size)
        } else {
            keys = .allocate(capacity: size)
            keys.initialize(repeating: nil, count: size)
            values = .allocate(capacity: size)
        }
        mask = size - 1
        shift = 64 - size.trailingZeroBitCount
        for i in 0..<oldSize {
            guard let key = oldKeys[i] else { continue }
            var slot = home(key)
            while keys[slot] != nil { slot = (slot &+ 1) & mask }
            keys[slot] = key
            values[slot] = oldValues[i]
        }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}
