import CLua

/// Reads one message and pushes its values, trusting nothing.
///
/// Besides checking every read against the end, it keeps ``need``: the
/// least number of bytes that the values still owed by open tables and
/// functions will take (one per value). A declared size is accepted only
/// if it fits in what remains on top of that, so what the decoder
/// allocates ahead (table sizes, strings) is bounded by the input's size,
/// even for tables nested inside tables that all claim the same bytes.
struct Decoder {
    let lua: LuaState
    let L: OpaquePointer
    var reader: ByteReader
    let allowFunctions: Bool

    /// Bytes the values announced but not started yet need at least.
    var need = 0
    /// Stack index of the table of shared objects, in the order their
    /// records start (from 1); nil there until the first shared object.
    var memo: Int32 = 0
    var sharedCount = 0
    /// For each upvalue record that carried a value: the memo slot of its
    /// function (0 when not shared) and the upvalue's index there.
    var upvalueOwners: [(function: Int, upvalue: Int32)] = []
    /// Key slots, on the stack just above the memo (nil until filled).
    var keySlotCount = 0

    init(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer, allowFunctions: Bool) {
        self.lua = lua
        self.L = lua.L
        self.reader = ByteReader(bytes)
        self.allowFunctions = allowFunctions
    }

    /// Tables are created with room for at most this many entries ahead;
    /// beyond it they grow as entries actually arrive.
    static let maxPresize = 1 << 24

    /// The stack during decoding: the memo slot, the key slots, then the
    /// values as they are decoded. Memo and key slots are removed at the
    /// end.
    mutating func decodeMessage() throws(CodecError) -> Int32 {
        guard reader.remaining > 0 else { throw .badData("empty string") }
        let version = try reader.readByte()
        guard version == Codec.version else {
            throw .unsupportedVersion(version)
        }
        let count = Int(try reader.read(UInt32.self))
        keySlotCount = Int(try reader.read(UInt16.self))
        guard keySlotCount <= Codec.keySlots else { throw .badData("too many key slots", at: 5) }
        try announce(count)
        let base = lua.top
        guard count < Codec.maxValues else { throw .badData("too many values", at: 1) }
        guard lua_checkstack(L, Int32(count + keySlotCount) + 8) != 0 else {
            throw .stackOverflowLoading(count)
        }
        lua_settop(L, base + 1 + Int32(keySlotCount))
        memo = base + 1
        do throws(CodecError) {
            for i in 0..<count {
                do throws(CodecError) {
                    try decodeValue(depth: 1)
                } catch {
                    var error = error
                    error.valueIndex = i
                    throw error
                }
            }
            guard reader.remaining == 0 else {
                throw CodecError.badData("bytes after the last value", at: reader.offset)
            }
        } catch {
            lua.top = base
            throw error
        }
        let reserved = 1 + Int32(keySlotCount)
        lua_rotate(L, base + 1, -reserved)
        lua.pop(reserved)
        return Int32(count)
    }

    /// Records that `values` more values (or bytes) must follow, and checks
    /// that they can.
    @inline(__always)
    mutating func announce(_ values: Int) throws(CodecError) {
        need += values
        guard need <= reader.remaining else {
            throw .tooMany(values, left: reader.remaining, at: reader.offset)
        }
    }

    /// Reads one value and pushes it. The recursion passes through here, so
    /// this frame stays small: scalars are read by ``decodeScalar(_:)``.
    mutating func decodeValue(depth: Int) throws(CodecError) {
        need -= 1
        let tag = try reader.readByte()
        if tag < Tag.table {
            try decodeScalar(tag)
            return
        }
        let flags = tag & ~Tag.kindMask
        switch tag & Tag.kindMask {
        case Tag.keyRef where flags == 0:
            try pushKey()
        case Tag.keyDef where flags == 0:
            try defineKey()
        case Tag.table:
            try decodeTable(shared: flags & Tag.shared != 0, metatable: flags & Tag.metatable != 0, depth: depth)
        case Tag.luaFunction where flags & Tag.metatable == 0:
            try decodeLuaFunction(shared: flags != 0, depth: depth)
        case Tag.ref where flags == 0:
            try pushReference()
        case Tag.globals where flags == 0:
            try pushGlobals()
        case Tag.cFunction where flags & Tag.metatable == 0:
            try decodeCFunction(shared: flags != 0)
        case Tag.module where flags & Tag.metatable == 0:
            try decodeModule(shared: flags != 0)
        default:
            throw .badTag(tag, at: reader.offset - 1)
        }
    }

    @inline(__always)
    private mutating func decodeScalar(_ tag: UInt8) throws(CodecError) {
        switch tag {
        case Tag.nil: lua_pushnil(L)
        case Tag.false: lua_pushboolean(L, 0)
        case Tag.true: lua_pushboolean(L, 1)
        case Tag.int8: lua_pushinteger(L, lua_Integer(try reader.read(Int8.self)))
        case Tag.int32: lua_pushinteger(L, lua_Integer(try reader.read(Int32.self)))
        case Tag.int64: lua_pushinteger(L, try reader.read(Int64.self))
        case Tag.float: lua_pushnumber(L, Double(bitPattern: try reader.read(UInt64.self)))
        case Tag.string8: try pushString(length: UInt64(try reader.read(UInt8.self)))
        case Tag.string32: try pushString(length: UInt64(try reader.read(UInt32.self)))
        default: try pushString(length: try reader.read(UInt64.self))
        }
    }

    @inline(__always)
    mutating func pushString(length: UInt64) throws(CodecError) {
        let bytes = try readBytes(length: length)
        lua_pushlstring(L, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
    }

    /// A length checked against what remains after the values still owed.
    /// The bytes left can be fewer than the values owed once a corrupt
    /// record has been read this far: nothing is available then.
    mutating func readBytes(length: UInt64) throws(CodecError) -> UnsafeRawBufferPointer {
        let available = max(0, reader.remaining - need)
        guard length <= UInt64(available) else {
            throw .tooLong(length, left: available, at: reader.offset)
        }
        return try reader.readBytes(Int(length))
    }

    private mutating func decodeTable(shared: Bool, metatable: Bool, depth: Int) throws(CodecError) {
        let (arrayCount, hashCount) = try beginTable(shared: shared, metatable: metatable, depth: depth)
        let t = lua_gettop(L)
        // A run of numbers in one C loop, then the items their general way
        // (not for a record's table, which has no items).
        var i = 1 + lua_Integer(arrayCount > 0 ? storeNumbers(arrayCount, into: t, at: 1) : 0)
        while i <= arrayCount {
            if !(try decodeNumber()) { try decodeValue(depth: depth + 1) }
            lua_rawseti(L, t, i)
            i += 1
        }
        var pairs = 0
        while pairs < hashCount {
            let keyTag = try reader.peekByte()
            try decodeValue(depth: depth + 1)
            if keyTag == Tag.nil || keyTag == Tag.float { try checkKey() }
            try decodeValue(depth: depth + 1)
            lua_rawset(L, t)
            pairs += 1
        }
        if metatable {
            try decodeValue(depth: depth + 1)
            try setMetatable(of: t)
        }
    }

    /// Reads a table's header and pushes the new table, sized ahead.
    @inline(__always)
    private mutating func beginTable(shared: Bool, metatable: Bool, depth: Int) throws(CodecError) -> (Int, Int) {
        try checkDepth(depth)
        let arrayCount = Int(try reader.read(UInt32.self))
        let hashCount = Int(try reader.read(UInt32.self))
        try announce(arrayCount + 2 * hashCount + (metatable ? 1 : 0))
        lua_createtable(L, Int32(min(arrayCount, Decoder.maxPresize)), Int32(min(hashCount, Decoder.maxPresize)))
        remember(lua_gettop(L), shared: shared)
        return (arrayCount, hashCount)
    }

    private func setMetatable(of t: Int32) throws(CodecError) {
        guard lua_type(L, -1) == LUA_TTABLE else { throw .badMetatable(lua, at: reader.offset) }
        lua_setmetatable(L, t)
    }

    /// Pushes a float or an integer and returns true; false, reading
    /// nothing, for any other tag. The common case of arrays, inlined.
    @inline(__always)
    mutating func decodeNumber() throws(CodecError) -> Bool {
        let tag = try reader.peekByte()
        guard tag >= Tag.int8 && tag <= Tag.float else { return false }
        need -= 1
        _ = try reader.readByte()
        try decodeScalar(tag)
        return true
    }

    /// Lua refuses nil and NaN as keys (by raising an error, which must
    /// never happen from here). Only those two tags can give them.
    private func checkKey() throws(CodecError) {
        switch lua_type(L, -1) {
        case LUA_TNIL:
            throw .badData("table key is nil", at: reader.offset)
        case LUA_TNUMBER where lua_isinteger(L, -1) == 0 && lua_tonumberx(L, -1, nil).isNaN:
            throw .badData("table key is NaN", at: reader.offset)
        default:
            break
        }
    }

    /// Called just after the tag of a table or function: errors name the
    /// tag's position.
    func checkDepth(_ depth: Int) throws(CodecError) {
        guard depth <= Codec.maxDepth else {
            throw .tooDeepToLoad(at: reader.offset - 1)
        }
        guard lua_checkstack(L, 4) != 0 else {
            throw .badData("Lua stack overflow", at: reader.offset - 1)
        }
    }

    /// Keeps the object at `index` when it is shared, in the next memo
    /// slot, and returns that slot (0 when not kept).
    @discardableResult
    mutating func remember(_ index: Int32, shared: Bool) -> Int {
        guard shared else { return 0 }
        if sharedCount == 0 {
            lua_createtable(L, 0, 0)
            clua_replace(L, memo)
        }
        sharedCount += 1
        lua_pushvalue(L, index)
        lua_rawseti(L, memo, lua_Integer(sharedCount))
        return sharedCount
    }

    /// Pushes the object in memo slot `slot`; false (nothing pushed) when
    /// there is no such slot.
    func pushShared(_ slot: Int) -> Bool {
        guard slot >= 1, slot <= sharedCount else { return false }
        lua_rawgeti(L, memo, lua_Integer(slot))
        return true
    }

    /// `keyDef`: a short string, also kept in its key slot.
    private mutating func defineKey() throws(CodecError) {
        let slot = Int(try reader.readByte())
        guard slot < keySlotCount else { throw .badData("key slot \(slot) out of range", at: reader.offset - 1) }
        try pushString(length: UInt64(try reader.readByte()))
        lua_copy(L, -1, memo + 1 + Int32(slot))
    }

    /// `keyRef`: the string in a key slot.
    private mutating func pushKey() throws(CodecError) {
        let slot = Int(try reader.readByte())
        guard slot < keySlotCount, lua_type(L, memo + 1 + Int32(slot)) == LUA_TSTRING else {
            throw .badData("empty key slot \(slot)", at: reader.offset - 1)
        }
        lua_pushvalue(L, memo + 1 + Int32(slot))
    }

    private mutating func pushReference() throws(CodecError) {
        let number = Int(try reader.read(UInt32.self))
        guard pushShared(number + 1) else {
            throw .unknownObject(number, at: reader.offset - 4)
        }
    }
}
