import CLua
import Synchronization

/// Writes Lua values into a message. One per message: it remembers every
/// object and upvalue it wrote so that later occurrences become references.
///
/// Recursion follows the nesting of the value and stops at
/// ``Codec/maxDepth``; every level makes room on the Lua stack first.
/// A struct, so that its buffers need no run-time exclusivity checks.
struct Encoder {
    let lua: LuaState
    let L: OpaquePointer
    var out = ByteWriter()

    /// Objects written so far, by `lua_topointer`: `a` is the object
    /// number, in the order their records start, and `b` the offset of its
    /// tag. Before the first table or function it is seeded with the
    /// global table (`a` = -1) and the modules of package.loaded (`a` =
    /// -2 - k for `modules[k]`), which become numbered objects when first
    /// written.
    var objects = PointerMap()
    var objectCount = 0
    /// Where each reference's number goes, and the object it refers to:
    /// the number written is the object's rank among the shared objects,
    /// known only at the end (see ``patchReferences()``).
    var references: [(offset: Int, object: Int)] = []
    /// The numbers of the objects marked shared so far.
    var sharedObjects: [Int] = []
    var seeded = false
    var modules: [[UInt8]] = []
    /// The global table was written (as the marker that decodes to the
    /// receiver's own).
    var wroteGlobals = false
    /// Canonical bytes, for a key (see ``Codec/canonicalHash(_:first:count:)``):
    /// every table's keys sorted, functions without debug information.
    /// Not for decoding.
    var canonical = false

    /// Upvalues written so far, by `lua_upvalueid`: `a` is the upvalue
    /// number (in the order of the records that carry their values), `b`
    /// unused.
    var upvalues = PointerMap()
    /// For each upvalue number: the function that introduced it, as its
    /// object number and tag offset.
    var upvalueFunctions: [(object: Int, offset: Int)] = []

    /// What each key slot holds, by the address of the string's bytes
    /// (short strings are interned: one address per contents); made at
    /// the first key.
    var keySlots: UnsafeMutablePointer<UnsafePointer<CChar>?>?
    var keySlotsUsed = 0

    /// The key slot table of the last encoder, kept for the next one: at
    /// 2 KiB it is a "large" request to malloc, which consolidates its free
    /// lists on every such request, a cost paid per message otherwise.
    /// Atomic, as encoders may run on several threads (the tests do).
    private static let spareKeySlots = Atomic<Int>(0)

    init(_ lua: LuaState) {
        self.lua = lua
        self.L = lua.L
    }

    /// The key slot table, empty, for the first key of the message.
    private mutating func makeKeySlots() -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let spare = Encoder.spareKeySlots.exchange(0, ordering: .acquiringAndReleasing)
        let slots = UnsafeMutablePointer<UnsafePointer<CChar>?>(bitPattern: spare)
            ?? .allocate(capacity: Codec.keySlots)
        slots.initialize(repeating: nil, count: Codec.keySlots)
        keySlots = slots
        return slots
    }

    mutating func release() {
        out.free()
        objects.free()
        upvalues.free()
        guard let keySlots else { return }
        let (kept, _) = Encoder.spareKeySlots.compareExchange(
            expected: 0, desired: Int(bitPattern: keySlots), ordering: .acquiringAndReleasing)
        if !kept { keySlots.deallocate() }
    }

    /// Writes the header and `count` values from stack index `first`.
    mutating func encodeMessage(first: Int32, count: Int32) throws(CodecError) {
        let base = lua.top
        defer { lua.top = base }
        try out.append(Codec.version)
        try out.append(UInt32(count))
        try out.append(UInt16(0))  // key slots used, known at the end
        for i in 0..<count {
            do throws(CodecError) {
                try encodeValue(first + i, depth: 1)
            } catch {
                var error = error
                error.valueIndex = Int(i)
                throw error
            }
        }
        patchReferences()
        out.patch(UInt16(keySlotsUsed), at: 5)
    }

    /// Writes the value at absolute stack index `index`, one level deeper
    /// than its container (`depth` 1 for the values of the message).
    mutating func encodeValue(_ index: Int32, depth: Int) throws(CodecError) {
        let type = lua_type(L, index)
        if try encodeScalar(index, type: type) { return }
        switch type {
        case LUA_TTABLE:
            try encodeTable(index, depth: depth)
        case LUA_TFUNCTION:
            try encodeFunction(index, depth: depth)
        default:
            throw .unsendable(lua, at: index)
        }
    }

    /// Writes a number and returns true; false for other types. The
    /// common case of arrays and records, kept small enough to inline.
    @inline(__always)
    mutating func encodeNumber(_ index: Int32, type: Int32) throws(CodecError) -> Bool {
        guard type == LUA_TNUMBER else { return false }
        if lua_isinteger(L, index) != 0 {
            try encodeInteger(lua_tointegerx(L, index, nil))
        } else {
            try out.append(Tag.float, lua_tonumberx(L, index, nil).bitPattern)
        }
        return true
    }

    /// Writes nil, a boolean, a number or a string and returns true;
    /// returns false for the other types. Inlined into the loops over
    /// tables, where most values are these.
    @inline(__always)
    mutating func encodeScalar(_ index: Int32, type: Int32) throws(CodecError) -> Bool {
        switch type {
        case LUA_TNUMBER:
            return try encodeNumber(index, type: type)
        case LUA_TSTRING:
            try encodeString(index)
        case LUA_TBOOLEAN:
            try out.append(lua_toboolean(L, index) != 0 ? Tag.true : Tag.false)
        case LUA_TNIL:
            try out.append(Tag.nil)
        default:
            return false
        }
        return true
    }

    @inline(__always)
    private mutating func encodeInteger(_ value: lua_Integer) throws(CodecError) {
        if value >= -128 && value <= 127 {
            try out.append(Tag.int8, Int8(truncatingIfNeeded: value))
        } else if value >= lua_Integer(Int32.min) && value <= lua_Integer(Int32.max) {
            try out.append(Tag.int32, Int32(truncatingIfNeeded: value))
        } else {
            try out.append(Tag.int64, value)
        }
    }

    /// Reads the string with its length: never `String`, never a number
    /// conversion.
    @inline(__always)
    private mutating func encodeString(_ index: Int32) throws(CodecError) {
        var length = 0
        let bytes = lua_tolstring(L, index, &length)!
        try out.reserve(9 + length)
        if length <= Int(UInt8.max) {
            out.appendReserved(Tag.string8, UInt8(length))
        } else if length <= Int(UInt32.max) {
            out.appendReserved(Tag.string32, UInt32(length))
        } else {
            out.appendReserved(Tag.string64, UInt64(length))
        }
        try out.append(UnsafeRawPointer(bytes), count: length)
    }

    /// A key string: through the key slots when short. The slot is chosen
    /// by address, so a key met again is usually still there.
    @inline(__always)
    private mutating func encodeKeyString(_ index: Int32) throws(CodecError) {
        var length = 0
        let bytes = lua_tolstring(L, index, &length)!
        guard length <= Codec.maxKeyLength else {
            try encodeString(index)
            return
        }
        let keySlots = self.keySlots ?? makeKeySlots()
        let hash = UInt64(UInt(bitPattern: bytes)) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: hash >> 56)
        if keySlots[slot] == UnsafePointer(bytes) {
            try out.append(Tag.keyRef, UInt8(slot))
            return
        }
        try out.reserve(3 + length)
        keySlots[slot] = UnsafePointer(bytes)
        keySlotsUsed = max(keySlotsUsed, slot + 1)
        out.appendReserved(Tag.keyDef, UInt8(slot))
        try out.append(UInt8(length))
        try out.append(UnsafeRawPointer(bytes), count: length)
    }

    /// One pass of `lua_next`: Lua visits the array part first, in order,
    /// so the keys 1, 2, 3... that come first make the array section and
    /// everything from the first other key on goes into the pairs.
    private mutating func encodeTable(_ t: Int32, depth: Int) throws(CodecError) {
        if canonical {
            try encodeSortedTable(t, depth: depth)
            return
        }
        guard try beginObject(t, depth: depth) else { return }
        let tagOffset = out.count
        try out.append(Tag.table, UInt32(0))  // both counts are patched at the end
        try out.append(UInt32(0))
        // The array part's leading numbers in one C loop, a batch at a
        // time; `lua_next` goes on after the last of them.
        var items: lua_Integer = 0
        let limit = clua_arraylimit(L, t, LuaState.directArrays)
        while items < limit {
            let n = min(4096, limit - items)
            let done = lua_Integer(try appendNumbers(of: t, from: items + 1, count: Int(n)))
            items += done
            if done < n { break }
        }
        var pairs = 0
        if items > 0 { lua_pushinteger(L, items) } else { lua_pushnil(L) }
        let value = lua_gettop(L) + 1
        while lua_next(L, t) != 0 {
            if pairs == 0, lua_isinteger(L, value - 1) != 0, lua_tointegerx(L, value - 1, nil) == items &+ 1 {
                items += 1
                let type = lua_type(L, value)
                if try !encodeNumber(value, type: type), try !encodeScalar(value, type: type) {
                    do throws(CodecError) {
                        try encodeValue(value, depth: depth + 1)
                    } catch {
                        throw error.inside(item: items)
                    }
                }
            } else {
                try encodePair(value, depth: depth + 1)
                pairs += 1
            }
            lua_settop(L, -2)
        }
        guard items <= UInt32.max, pairs <= UInt32.max else { throw .tooLarge("table") }
        out.patch(UInt32(items), at: tagOffset + 1)
        out.patch(UInt32(pairs), at: tagOffset + 5)
        if lua_getmetatable(L, t) != 0 {
            out.setBits(Tag.metatable, at: tagOffset)
            do throws(CodecError) {
                try encodeValue(value - 1, depth: depth + 1)
            } catch {
                throw error.inside("<metatable>")
            }
            lua_settop(L, -2)
        }
    }

    /// The key at `value - 1` and the value at `value`.
    @inline(__always)
    mutating func encodePair(_ value: Int32, depth: Int) throws(CodecError) {
        // (Key slots go by the string's address, which changes from run to
        // run: canonical bytes spell every key out.)
        if lua_type(L, value - 1) == LUA_TSTRING && !canonical {
            try encodeKeyString(value - 1)
        } else {
            do throws(CodecError) {
                try encodeValue(value - 1, depth: depth)
            } catch {
                throw error.inside("<key>")
            }
        }
        let type = lua_type(L, value)
        if try encodeNumber(value, type: type) { return }
        if try encodeScalar(value, type: type) { return }
        do throws(CodecError) {
            try encodeValue(value, depth: depth)
        } catch {
            throw error.inside(keyAt: value - 1, of: lua)
        }
    }
}

extension Encoder {
    /// A table with every key among the pairs, in a fixed order: booleans,
    /// then numbers by value, then strings by their bytes, then keys of
    /// other types (in traversal order: those have no order to sort by).
    @inline(never)
    private mutating func encodeSortedTable(_ t: Int32, depth: Int) throws(CodecError) {
        guard try beginObject(t, depth: depth) else { return }
        let tagOffset = out.count
        try out.append(Tag.table, UInt32(0))
        try out.append(UInt32(0))
        // The keys, into a list on the stack.
        guard lua.ensureStack(8) else { throw .stackOverflowSending() }
        lua_createtable(L, 0, 0)
        let keys = lua_gettop(L)
        var sortKeys: [CanonicalKey] = []
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            lua_settop(L, -2)
            sortKeys.append(CanonicalKey(lua, at: lua_gettop(L), position: sortKeys.count))
            lua_pushvalue(L, -1)
            lua_rawseti(L, keys, lua_Integer(sortKeys.count))
        }
        guard sortKeys.count <= UInt32.max else { throw .tooLarge("table") }
        sortKeys.sort()
        for key in sortKeys {
            lua_rawgeti(L, keys, lua_Integer(key.position + 1))
            lua_pushvalue(L, -1)
            lua_rawget(L, t)
            try encodePair(lua_gettop(L), depth: depth + 1)
            lua_settop(L, keys)
        }
        out.patch(UInt32(sortKeys.count), at: tagOffset + 5)
        if lua_getmetatable(L, t) != 0 {
            out.setBits(Tag.metatable, at: tagOffset)
            try encodeValue(lua_gettop(L), depth: depth + 1)
        }
        lua_settop(L, keys - 1)
    }
}

/// A table key, for the canonical order.
private struct CanonicalKey: Comparable {
    enum Value {
        case boolean(Bool)
        case number(Double, exact: lua_Integer?)
        case string([UInt8])
        case other
    }
    let value: Value
    let position: Int

    init(_ lua: LuaState, at index: Int32, position: Int) {
        self.position = position
        switch lua_type(lua.L, index) {
        case LUA_TBOOLEAN:
            value = .boolean(lua_toboolean(lua.L, index) != 0)
        case LUA_TNUMBER:
            let exact = lua_isinteger(lua.L, index) != 0 ? lua_tointegerx(lua.L, index, nil) : nil
            value = .number(lua_tonumberx(lua.L, index, nil), exact: exact)
        case LUA_TSTRING:
            var length = 0
            let bytes = lua_tolstring(lua.L, index, &length)!
            value = .string(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default:
            value = .other
        }
    }

    private var rank: Int {
        switch value {
        case .boolean: return 0
        case .number: return 1
        case .string: return 2
        case .other: return 3
        }
    }

    static func < (a: CanonicalKey, b: CanonicalKey) -> Bool {
        switch (a.value, b.value) {
        case let (.boolean(x), .boolean(y)): return !x && y
        case let (.number(x, i), .number(y, j)):
            if let i, let j { return i < j }
            if x != y { return x < y }
            return i == nil && j != nil  // a float just below an integer's rounding
        case let (.string(x), .string(y)): return x.lexicographicallyPrecedes(y)
        case (.other, .other): return a.position < b.position
        default: return a.rank < b.rank
        }
    }

    static func == (a: CanonicalKey, b: CanonicalKey) -> Bool { !(a < b) && !(b < a) }
}
