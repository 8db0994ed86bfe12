import CLua

// Functions and names: Lua bytecode (checked, then loaded as binary only),
// upvalues and their sharing, C functions, modules and the global table.
// All of them are refused when functions are not allowed.

extension Decoder {
    /// On the recursive path: kept to the loop over upvalues.
    mutating func decodeLuaFunction(shared: Bool, depth: Int) throws(CodecError) {
        let (slot, count) = try loadFunction(shared: shared, depth: depth)
        let f = lua_gettop(L)
        var n: Int32 = 1
        while n <= count {
            if try reader.peekByte() == Tag.joinUpvalue {
                try joinUpvalue(n, of: f)
            } else {
                upvalueOwners.append((slot, n))
                try decodeValue(depth: depth + 1)
                lua.setUpvalue(n, ofFunctionAt: f)
            }
            n += 1
        }
    }

    /// Reads the bytecode, checks it and pushes the loaded function;
    /// returns its memo slot (0 when not shared) and its number of
    /// upvalues, whose records follow.
    @inline(never)
    private mutating func loadFunction(shared: Bool, depth: Int) throws(CodecError) -> (Int, Int32) {
        guard allowFunctions else { throw .refused("function") }
        try checkDepth(depth)
        let start = reader.offset - 1
        let length = try reader.read(UInt32.self)
        let checksum = try reader.read(UInt64.self)
        let bytecode = try readBytes(length: UInt64(length))
        guard Checksum.fnv1a64(bytecode) == checksum else {
            throw .badData("function checksum mismatch", at: start)
        }
        do throws(LuaError) {
            try lua.load(bytecode, name: "=?", mode: "b")
        } catch {
            throw .badBytecode(error, at: start)
        }
        let f = lua_gettop(L)
        let slot = remember(f, shared: shared)
        let count = Int32(try reader.readByte())
        guard count == lua.upvalueCount(ofFunctionAt: f) else {
            throw .badData("upvalue count does not match the function", at: reader.offset - 1)
        }
        try announce(Int(count))
        return (slot, count)
    }

    /// A `joinUpvalue` record: upvalue `n` of the function at `f` becomes
    /// the upvalue an earlier record introduced.
    @inline(never)
    private mutating func joinUpvalue(_ n: Int32, of f: Int32) throws(CodecError) {
        need -= 1
        _ = try reader.readByte()
        let k = Int(try reader.read(UInt32.self))
        guard k < upvalueOwners.count, pushShared(upvalueOwners[k].function) else {
            throw .unknownUpvalue(k, at: reader.offset - 4)
        }
        defer { lua_settop(L, -2) }
        guard lua.joinUpvalue(n, ofFunctionAt: f, to: upvalueOwners[k].upvalue, ofFunctionAt: -1) else {
            throw .badData("invalid upvalue join", at: reader.offset - 4)
        }
    }

    /// A name as length:u32 bytes, at most what remains.
    private mutating func readName() throws(CodecError) -> UnsafeRawBufferPointer {
        try readBytes(length: UInt64(try reader.read(UInt32.self)))
    }

    mutating func decodeCFunction(shared: Bool) throws(CodecError) {
        let module = try readName()
        let field = try readName()
        let name = display(module) + "." + display(field)
        guard allowFunctions else { throw .refused("C function '\(name)'") }
        var why = ""
        if lua.pushLoaded(module: module) == .nil { why = requireModule(module) }
        lua_settop(L, -2)
        guard lua.pushLoaded(module: module, field: field) == .function, lua.isCFunction(at: -1) else {
            lua_settop(L, -2)
            throw .notFound("C function '\(name)'" + why)
        }
        remember(lua_gettop(L), shared: shared)
    }

    mutating func decodeModule(shared: Bool) throws(CodecError) {
        let name = try readName()
        guard allowFunctions else { throw .refused("module '\(display(name))'") }
        var why = ""
        if lua.pushLoaded(module: name) == .nil {
            lua_settop(L, -2)
            why = requireModule(name)
            lua.pushLoaded(module: name)
        }
        guard lua.type(at: -1) == .table else {
            lua_settop(L, -2)
            throw .notFound("module '\(display(name))'" + why)
        }
        remember(lua_gettop(L), shared: shared)
    }

    /// A module this interpreter has not loaded: `require`s it, in a
    /// protected call. Returns "" when that worked, else why not, for
    /// a message: ` (module 'x' not found)`, the first line of the error.
    private func requireModule(_ name: UnsafeRawBufferPointer) -> String {
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_checkstack(L, 4) != 0 else { return "" }
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        lua.push("require")
        guard lua_rawget(L, -2) == LUA_TFUNCTION else { return "" }
        lua.push(bytes: name)
        guard lua_pcallk(L, 1, 0, 0, 0, nil) != LUA_OK else { return "" }
        let text = lua.toString(at: -1) ?? "(error object is a \(lua.typeName(at: -1)) value)"
        let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        return " (" + first.trimmingTrailingColon() + ")"
    }

    func pushGlobals() throws(CodecError) {
        guard allowFunctions else { throw .refused("the global table") }
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
    }
}

/// A name from the data, for a message: UTF-8 (invalid bytes replaced),
/// control characters as `?`, at most 60 bytes.
private func display(_ bytes: UnsafeRawBufferPointer) -> String {
    let text = String(decoding: bytes.prefix(60), as: UTF8.self)
    return String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        + (bytes.count > 60 ? "..." : "")
}

private extension String {
    /// `module 'x' not found` from `module 'x' not found:`.
    func trimmingTrailingColon() -> String {
        hasSuffix(":") ? String(dropLast()) : self
    }
}
