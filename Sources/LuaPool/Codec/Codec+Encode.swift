import CLua

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

    /// Objects written so far, by `lua_topointer` (strings by the address
    /// of their bytes): `a` is the object number and `b` the offset of its
    /// tag. Before the first table or
    /// function it is seeded with the global table (`a` = -1) and the
    /// modules of package.loaded (`a` = -2 - k for `modules[k]`), which
    /// become numbered objects when first written.
    var objects = PointerMap()
    var objectCount = 0
    var seeded = false
    var modules: [[UInt8]] = []

    /// Upvalues written so far, by `lua_upvalueid`: `a` is the upvalue
    /// number, `b` the tag offset of the function that introduced it.
    var upvalues = PointerMap(capacity: 8)
    var upvalueCount = 0

    init(_ lua: LuaState) {
        self.lua = lua
        self.L = lua.L
    }

    mutating func release() {
        out.free()
        objects.free()
        upvalues.free()
    }

    /// Writes the header and `count` values from stack index `first`.
    mutating func encodeMessage(first: Int32, count: Int32) throws(CodecError) {
        let base = lua.top
        defer { lua.top = base }
        out.append(Codec.version)
        out.append(UInt32(count))
        for i in 0..<count {
            do throws(CodecError) {
                try encodeValue(first + i, depth: 1)
            } catch {
                var error = error
                error.valueIndex = Int(i)
                throw error
            }
        }
    }

    /// Writes the value at absolute stack index `index`, one level deeper
    /// than its container (`depth` 1 for the values of the message).
    mutating func encodeValue(_ index: Int32, depth: Int) throws(CodecError) {
        switch lua_type(L, index) {
        case LUA_TNIL:
            out.append(Tag.nil)
        case LUA_TBOOLEAN:
            out.append(lua_toboolean(L, index) != 0 ? Tag.true : Tag.false)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 {
                encodeInteger(lua_tointegerx(L, index, nil))
            } else {
                out.append(Tag.float, lua_tonumberx(L, index, nil).bitPattern)
            }
        case LUA_TSTRING:
            encodeString(index)
        case LUA_TTABLE:
            try encodeTable(index, depth: depth)
        case LUA_TFUNCTION:
            try encodeFunction(index, depth: depth)
        default:
            throw .unsendable(lua, at: index)
        }
    }

    @inline(__always)
    private mutating func encodeInteger(_ value: lua_Integer) {
        if value >= -128 && value <= 127 {
            out.append(Tag.int8, Int8(truncatingIfNeeded: value))
        } else if value >= lua_Integer(Int32.min) && value <= lua_Integer(Int32.max) {
            out.append(Tag.int32, Int32(truncatingIfNeeded: value))
        } else {
            out.append(Tag.int64, value)
        }
    }

    /// Reads the string with its length: never `String`, never a number
    /// conversion. Every string record is numbered; a key string met
    /// before (the same Lua string object, which for short strings means
    /// the same contents) becomes a reference. Keys repeat from record to
    /// record; other strings are rarely worth remembering.
    @inline(__always)
    private mutating func encodeString(_ index: Int32, isKey: Bool = false) {
        var length = 0
        let bytes = lua_tolstring(L, index, &length)!
        if isKey, let slot = objects.findOrInsert(bytes, .init(a: objectCount, b: out.count)) {
            writeKnownObject(slot)
            return
        }
        objectCount += 1
        out.reserve(9 + length)
        if length <= Int(UInt8.max) {
            out.append(Tag.string8, UInt8(length))
        } else if length <= Int(UInt32.max) {
            out.append(Tag.string32, UInt32(length))
        } else {
            out.append(Tag.string64, UInt64(length))
        }
        out.append(UnsafeRawPointer(bytes), count: length)
    }

    /// One pass of `lua_next`: Lua visits the array part first, in order,
    /// so the keys 1, 2, 3... that come first make the array section and
    /// everything from the first other key on goes into the pairs.
    private mutating func encodeTable(_ t: Int32, depth: Int) throws(CodecError) {
        guard try beginObject(t, depth: depth) else { return }
        let tagOffset = out.count
        out.append(Tag.table, UInt32(0))  // both counts are patched at the end
        out.append(UInt32(0))
        var items: lua_Integer = 0
        var pairs: UInt32 = 0
        lua_pushnil(L)
        let value = lua_gettop(L) + 1
        while lua_next(L, t) != 0 {
            if pairs == 0, lua_isinteger(L, value - 1) != 0, lua_tointegerx(L, value - 1, nil) == items &+ 1 {
                items += 1
                do throws(CodecError) {
                    try encodeValue(value, depth: depth + 1)
                } catch {
                    throw error.inside(item: items)
                }
            } else {
                try encodePair(value, depth: depth + 1)
                pairs += 1
            }
            lua_settop(L, -2)
        }
        guard items <= UInt32.max, pairs < UInt32.max else { throw .tooLarge("table") }
        out.patch(UInt32(items), at: tagOffset + 1)
        out.patch(pairs, at: tagOffset + 5)
        if lua_getmetatable(L, t) != 0 {
            out.setBits(Tag.metatable, at: tagOffset)
            do throws(CodecError) {
                try encodeValue(value, depth: depth + 1)
            } catch {
                throw error.inside("<metatable>")
            }
            lua_settop(L, -2)
        }
    }

    /// The key at `value - 1` and the value at `value`.
    @inline(__always)
    private mutating func encodePair(_ value: Int32, depth: Int) throws(CodecError) {
        if lua_type(L, value - 1) == LUA_TSTRING {
            encodeString(value - 1, isKey: true)
        } else {
            do throws(CodecError) {
                try encodeValue(value - 1, depth: depth)
            } catch {
                throw error.inside("<key>")
            }
        }
        do throws(CodecError) {
            try encodeValue(value, depth: depth)
        } catch {
            throw error.inside(keyAt: value - 1, of: lua)
        }
    }

    /// For the table or function at `index`: writes a reference (or a
    /// name) and returns false when it is known already; otherwise numbers
    /// it as a new object, checks the depth and the Lua stack, and returns
    /// true for the caller to write its record, whose tag comes next.
    mutating func beginObject(_ index: Int32, depth: Int) throws(CodecError) -> Bool {
        if !seeded { seedNames() }
        let pointer = lua_topointer(L, index)!
        if let slot = objects.findOrInsert(pointer, .init(a: objectCount, b: out.count)) {
            writeKnownObject(slot)
            return false
        }
        objectCount += 1
        guard depth <= Codec.maxDepth else {
            throw .tooDeepToSend()
        }
        guard lua_checkstack(L, 4) != 0 else {
            throw .stackOverflowSending()
        }
        return true
    }

    /// Writes an object met before: a reference, marking the original as
    /// shared; or the global table; or a module, the first time it appears.
    mutating func writeKnownObject(_ slot: Int) {
        let known = objects[slot]
        if known.a >= 0 {
            out.append(Tag.ref, UInt32(known.a))
            out.setBits(Tag.shared, at: known.b)
        } else if known.a == -1 {
            out.append(Tag.globals)
        } else {
            objects[slot] = .init(a: objectCount, b: out.count)
            objectCount += 1
            out.append(Tag.module)
            appendName(modules[-known.a - 2])
        }
    }

    /// Seeds ``objects`` with the global table and the modules.
    mutating func seedNames() {
        seeded = true
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        _ = objects.findOrInsert(lua_topointer(L, -1)!, .init(a: -1, b: 0))
        lua_settop(L, -2)
        lua.forEachLoadedModule { name, module in
            let pointer = lua_topointer(L, module)!
            let entry = PointerMap.Value(a: -2 - modules.count, b: 0)
            if let slot = objects.findOrInsert(pointer, entry) {
                // Known under another name: keep the smallest, so the
                // bytes do not depend on table order.
                let k = -objects[slot].a - 2
                if k >= 0, name.lexicographicallyPrecedes(modules[k]) { modules[k] = Array(name) }
            } else {
                modules.append(Array(name))
            }
        }
    }

    /// A name: length:u32, bytes.
    mutating func appendName<C: Collection>(_ name: C) where C.Element == UInt8 {
        out.append(UInt32(name.count))
        for byte in name { out.append(byte) }
    }
}
