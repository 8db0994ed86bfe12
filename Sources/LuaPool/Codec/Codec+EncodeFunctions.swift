import CLua

// Functions: Lua functions as bytecode plus upvalues, C functions by name.

extension Encoder {
    mutating func encodeFunction(_ f: Int32, depth: Int) throws(CodecError) {
        if lua_iscfunction(L, f) != 0 {
            try encodeCFunction(f)
            return
        }
        guard let (object, tagOffset) = try writeBytecode(f, depth: depth) else { return }
        let count = lua.upvalueCount(ofFunctionAt: f)
        try out.append(UInt8(count))
        var n: Int32 = 1
        while n <= count {
            if try !writeUpvalueJoin(n, of: f, object: object, tagOffset: tagOffset) {
                lua.getUpvalue(n, ofFunctionAt: f)
                do throws(CodecError) {
                    try encodeValue(lua_gettop(L), depth: depth + 1)
                } catch {
                    throw error.inside(upvalue: n, ofFunctionAt: f, of: lua)
                }
                lua_settop(L, -2)
            }
            n += 1
        }
    }

    /// Writes tag, length:u32, checksum:u64 and the bytecode of the Lua
    /// function at `f` and returns its object number and the tag's offset;
    /// the upvalue count and records follow. Nil when the function was
    /// written before (a reference is written then).
    @inline(never)
    private mutating func writeBytecode(_ f: Int32, depth: Int) throws(CodecError) -> (object: Int, offset: Int)? {
        guard try beginObject(f, depth: depth) else { return nil }
        let object = objectCount - 1
        let tagOffset = out.count
        try out.append(Tag.luaFunction)
        try out.append(UInt32(0))
        try out.append(UInt64(0))
        let start = out.count
        var failure: CodecError?
        if canonical {
            // Stripped, and without the line numbers a stripped dump keeps.
            var dump: [UInt8] = []
            _ = lua.dump(functionAt: f, strip: true) { dump.append(contentsOf: $0) }
            for byte in CanonicalBytecode.withoutLines(dump) ?? dump { try out.append(byte) }
        } else if try appendKeptBytecode(of: f, tagOffset: tagOffset) {
            return (object, tagOffset)
        } else {
            lua.dump(functionAt: f, strip: false) { block in
                guard failure == nil else { return }
                do throws(CodecError) { try out.append(block) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        let length = out.count - start
        guard length <= UInt32.max else { throw .tooLarge("function bytecode") }
        out.patch(UInt32(length), at: tagOffset + 1)
        out.patch(Checksum.fnv1a64(UnsafeRawBufferPointer(rebasing: out.bytes[start...])), at: tagOffset + 5)
        if !canonical && length <= Encoder.keptBytecodeLimit { keepBytecode(of: f, tagOffset: tagOffset) }
        return (object, tagOffset)
    }

    /// A function's bytecode (`lua_dump`) never changes: each Lua function
    /// sent keeps its record's length, checksum and bytecode, in a table of
    /// the registry with weak keys (gone with the function), for the next
    /// message (each `apply` sends its function).
    private static let keptBytecodeKey = "luapool.bytecode"
    /// Larger bytecode is not kept: its copy would weigh on the Lua heap
    /// (a worker's memory cap counts it) more than dumping it again costs.
    private static let keptBytecodeLimit = 1 << 16

    /// Appends the kept bytecode of the function at `f` and patches the
    /// record's length and checksum at `tagOffset`; false when none is kept.
    private mutating func appendKeptBytecode(of f: Int32, tagOffset: Int) throws(CodecError) -> Bool {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_getfield(L, LuaState.registryIndex, Encoder.keptBytecodeKey) == LUA_TTABLE else { return false }
        lua_pushvalue(L, f)
        guard lua_rawget(L, -2) == LUA_TSTRING else { return false }
        var length = 0
        guard let kept = lua_tolstring(L, -1, &length), length > 12 else { return false }
        // length:u32, checksum:u64, then the bytecode: as the record has them
        let raw = UnsafeRawPointer(kept)
        out.patch(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)), at: tagOffset + 1)
        out.patch(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self)), at: tagOffset + 5)
        try out.append(raw + 12, count: length - 12)
        return true
    }

    /// Keeps the record just written for the function at `f` (its length,
    /// checksum and bytecode from `tagOffset + 1` on).
    private func keepBytecode(of f: Int32, tagOffset: Int) {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_checkstack(L, 4) != 0 else { return }
        if lua_getfield(L, LuaState.registryIndex, Encoder.keptBytecodeKey) != LUA_TTABLE {
            lua_settop(L, base)
            lua_createtable(L, 0, 4)
            lua_createtable(L, 0, 1)
            lua_pushstring(L, "k")
            lua_setfield(L, -2, "__mode")
            lua_setmetatable(L, -2)
            lua_pushvalue(L, -1)
            lua_setfield(L, LuaState.registryIndex, Encoder.keptBytecodeKey)
        }
        lua_pushvalue(L, f)
        let record = UnsafeRawBufferPointer(rebasing: out.bytes[(tagOffset + 1)...])
        lua_pushlstring(L, record.baseAddress!.assumingMemoryBound(to: CChar.self), record.count)
        lua_rawset(L, -3)
    }

    /// For an upvalue met before, writes a `joinUpvalue` record, marks the
    /// function that introduced it as shared (so the decoder keeps it) and
    /// returns true. A new upvalue gets the next number; false then, and
    /// its value is written next.
    @inline(never)
    private mutating func writeUpvalueJoin(_ n: Int32, of f: Int32, object: Int, tagOffset: Int) throws(CodecError) -> Bool {
        let id = lua.upvalueID(n, ofFunctionAt: f)!
        if let slot = upvalues.findOrInsert(id, .init(a: upvalueFunctions.count, b: 0)) {
            let number = upvalues[slot].a
            try out.append(Tag.joinUpvalue, UInt32(number))
            markShared(upvalueFunctions[number].object, at: upvalueFunctions[number].offset)
            return true
        }
        upvalueFunctions.append((object, tagOffset))
        return false
    }

    /// tag, module name, field name: found again by name on decoding.
    @inline(never)
    private mutating func encodeCFunction(_ f: Int32) throws(CodecError) {
        if !seeded { seedNames() }
        let pointer = lua_topointer(L, f)!
        if let slot = objects.find(pointer) {
            try writeKnownObject(slot, at: f)
            return
        }
        guard let name = Codec.functionName(lua, ofValueAt: f) else { throw .unsendable(lua, at: f) }
        _ = objects.findOrInsert(pointer, .init(a: objectCount, b: out.count))
        objectCount += 1
        try out.append(Tag.cFunction)
        try appendName(name.module)
        try appendName(name.field)
    }
}
