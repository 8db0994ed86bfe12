/// A hash map from object pointers (`lua_topointer`, `lua_upvalueid`) to
/// two integers, with open addressing: the encoder's memory of what it has
/// written already. Cheaper than `Dictionary` on the hot path of tables.
/// A struct over manually managed memory (so that no access to it needs a
/// run-time exclusivity check); the owner calls ``free()``.
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
        keys.deallocate()
        values.deallocate()
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
        let size = oldSize * 2
        keys = .allocate(capacity: size)
        keys.initialize(repeating: nil, count: size)
        values = .allocate(capacity: size)
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
