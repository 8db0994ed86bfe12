import CLua

// Functions: Lua functions as bytecode plus upvalues, C functions by name.

extension Encoder {
    mutating func encodeFunction(_ f: Int32, depth: Int) throws(CodecError) {
        if lua_iscfunction(L, f) != 0 {
            try encodeCFunction(f)
            return
        }
        guard let tagOffset = try writeBytecode(f, depth: depth) else { return }
        let count = lua.upvalueCount(ofFunctionAt: f)
        out.append(UInt8(count))
        var n: Int32 = 1
        while n <= count {
            if !writeUpvalueJoin(n, of: f, tagOffset: tagOffset) {
                lua_getupvalue(L, f, n)
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
    /// function at `f` and returns the tag's offset; the upvalue count and
    /// records follow. Nil when the function was written before (a
    /// reference is written then).
    @inline(never)
    private mutating func writeBytecode(_ f: Int32, depth: Int) throws(CodecError) -> Int? {
        guard try beginObject(f, depth: depth) else { return nil }
        let tagOffset = out.count
        out.append(Tag.luaFunction)
        out.append(UInt32(0))
        out.append(UInt64(0))
        let start = out.count
        lua.dump(functionAt: f, strip: false) { block in out.append(block) }
        let length = out.count - start
        guard length <= UInt32.max else { throw .tooLarge("function bytecode") }
        out.patch(UInt32(length), at: tagOffset + 1)
        out.patch(Checksum.fnv1a64(UnsafeRawBufferPointer(rebasing: out.bytes[start...])), at: tagOffset + 5)
        return tagOffset
    }

    /// For an upvalue met before, writes a `joinUpvalue` record, marks the
    /// function that introduced it as shared (so the decoder keeps it) and
    /// returns true. A new upvalue gets the next number; false then, and
    /// its value is written next.
    @inline(never)
    private mutating func writeUpvalueJoin(_ n: Int32, of f: Int32, tagOffset: Int) -> Bool {
        let id = lua_upvalueid(L, f, n)!
        if let slot = upvalues.findOrInsert(id, .init(a: upvalueCount, b: tagOffset)) {
            out.append(Tag.joinUpvalue, UInt32(upvalues[slot].a))
            out.setBits(Tag.shared, at: upvalues[slot].b)
            return true
        }
        upvalueCount += 1
        return false
    }

    /// tag, module name, field name: found again by name on decoding.
    @inline(never)
    private mutating func encodeCFunction(_ f: Int32) throws(CodecError) {
        if !seeded { seedNames() }
        let pointer = lua_topointer(L, f)!
        if let slot = objects.find(pointer) {
            writeKnownObject(slot)
            return
        }
        guard let name = lua.loadedName(ofValueAt: f) else { throw .unsendable(lua, at: f) }
        _ = objects.findOrInsert(pointer, .init(a: objectCount, b: out.count))
        objectCount += 1
        out.append(Tag.cFunction)
        appendName(name.module)
        appendName(name.field)
    }
}
