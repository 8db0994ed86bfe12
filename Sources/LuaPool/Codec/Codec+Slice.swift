import CLua

// A run of a table's items as one list, without building the list: what a
// pool sends as a chunk of a large call and gets back as its results.
//
// `withEncodedSlice` writes exactly the message of a one-value list
// `{t[first], ..., t[first + count - 1], n = count}` (holes as nil items);
// `decodeSlice` reads a message holding one table and stores its items
// straight into another table from a given index, dropping its other
// fields. Either side may be the ordinary `encode` / `decode`.

extension Codec {
    /// Encodes `t[first ..< first + count]` of the table at `index` as the
    /// list `{..., n = count}` would be encoded (raw access, no
    /// metamethods), and lends the bytes to `body`.
    ///
    /// - Throws: ``CodecError`` for an item that cannot be sent, its path
    ///   starting at the item's place in the list (`[3]` for `t[first + 2]`).
    public static func withEncodedSlice<R>(
        _ lua: LuaState, table index: Int32, first: lua_Integer, count: Int,
        _ body: (UnsafeRawBufferPointer) -> R
    ) throws(CodecError) -> R {
        precondition(count >= 0 && lua.type(at: index) == .table, "not a table slice")
        var encoder = Encoder(lua)
        defer { encoder.release() }
        try encoder.encodeSlice(of: lua.absoluteIndex(index), first: first, count: count)
        return body(encoder.out.bytes)
    }

    /// Decodes a message that holds one table (without metatable) and
    /// stores its items 1...k as `t[at]`...`t[at + k - 1]` of the table
    /// at `index` (raw); the table's other fields are read and dropped.
    /// Returns k. Nothing is left pushed.
    ///
    /// - Throws: ``CodecError``: `bad data: ...` for bytes that are not
    ///   such a message; some items may have been stored then.
    public static func decodeSlice(
        _ lua: LuaState, _ bytes: UnsafeRawBufferPointer, into index: Int32, at first: lua_Integer
    ) throws(CodecError) -> Int {
        var decoder = Decoder(lua, bytes, allowFunctions: true)
        return try decoder.decodeSlice(into: lua.absoluteIndex(index), at: first)
    }
}

extension Encoder {
    /// The message of ``Codec/withEncodedSlice(_:table:first:count:_:)``.
    mutating func encodeSlice(of t: Int32, first: lua_Integer, count: Int) throws(CodecError) {
        let base = lua.top
        defer { lua.top = base }
        guard count <= UInt32.max else { throw .tooLarge("table") }
        out.append(Codec.version)
        out.append(UInt32(1))
        out.append(UInt16(0))  // key slots used, known at the end
        if !seeded { seedNames() }
        objectCount += 1  // the list it stands for is object 0
        guard lua_checkstack(L, 6) != 0 else { throw .stackOverflowSending() }
        out.append(Tag.table, UInt32(count))
        out.append(UInt32(1))  // one pair: n
        let value = base + 1
        for i in 0..<lua_Integer(count) {
            let type = lua_rawgeti(L, t, first + i)
            if !encodeNumber(value, type: type) && !encodeScalar(value, type: type) {
                do throws(CodecError) {
                    try encodeValue(value, depth: 2)
                } catch {
                    throw error.inside(item: i + 1)
                }
            }
            lua_settop(L, base)
        }
        lua_pushstring(L, "n")
        lua_pushinteger(L, lua_Integer(count))
        try encodePair(base + 2, depth: 2)
        patchReferences()
        out.patch(UInt16(keySlotsUsed), at: 5)
    }
}

extension Decoder {
    /// See ``Codec/decodeSlice(_:_:into:at:)``; `t` is absolute.
    mutating func decodeSlice(into t: Int32, at first: lua_Integer) throws(CodecError) -> Int {
        guard reader.remaining > 0 else { throw .badData("empty string") }
        let version = try reader.readByte()
        guard version == Codec.version else { throw .unsupportedVersion(version) }
        guard try reader.read(UInt32.self) == 1 else { throw .badData("expected one value", at: 1) }
        keySlotCount = Int(try reader.read(UInt16.self))
        guard keySlotCount <= Codec.keySlots else { throw .badData("too many key slots", at: 5) }
        try announce(1)
        let base = lua.top
        defer { lua.top = base }
        guard lua_checkstack(L, Int32(keySlotCount) + 8) != 0 else {
            throw .badData("Lua stack overflow", at: 0)
        }
        lua_settop(L, base + 1 + Int32(keySlotCount))
        memo = base + 1
        need -= 1
        let tag = try reader.readByte()
        guard tag & Tag.kindMask == Tag.table, tag & Tag.metatable == 0 else {
            throw .badData("expected a table without metatable", at: reader.offset - 1)
        }
        try checkDepth(1)
        let arrayCount = Int(try reader.read(UInt32.self))
        let hashCount = Int(try reader.read(UInt32.self))
        try announce(arrayCount + 2 * hashCount)
        // References to the list itself (only a corrupt message has them)
        // find the table it is stored into.
        remember(t, shared: tag & Tag.shared != 0)
        for i in 0..<lua_Integer(arrayCount) {
            if !(try decodeNumber()) { try decodeValue(depth: 2) }
            lua_rawseti(L, t, first + i)
        }
        for _ in 0..<hashCount {
            try decodeValue(depth: 2)
            try decodeValue(depth: 2)
            lua_settop(L, -3)
        }
        guard reader.remaining == 0 else {
            throw .badData("bytes after the last value", at: reader.offset)
        }
        return arrayCount
    }
}
