import CLua

extension LuaState {
    /// Lua's truth: false only for nil and false. Wraps `lua_toboolean`.
    public func toBool(at index: Int32) -> Bool {
        lua_toboolean(L, index) != 0
    }

    /// The value at `index` when it is an integer, or a float or string
    /// with an exact integer value; nil otherwise. Wraps `lua_tointegerx`.
    public func toInteger(at index: Int32) -> lua_Integer? {
        var isNumber: Int32 = 0
        let value = lua_tointegerx(L, index, &isNumber)
        return isNumber != 0 ? value : nil
    }

    /// The value at `index` when it is a number or a string convertible to
    /// one; nil otherwise. Wraps `lua_tonumberx`.
    public func toNumber(at index: Int32) -> Double? {
        var isNumber: Int32 = 0
        let value = lua_tonumberx(L, index, &isNumber)
        return isNumber != 0 ? value : nil
    }

    /// Whether the number at `index` is an integer (`math.type` says
    /// "integer").
    public func isInteger(at index: Int32) -> Bool {
        lua_isinteger(L, index) != 0
    }

    /// Calls `body` with the bytes of the string at `index`, without
    /// copying; nil when the value is not a string. Numbers are not
    /// converted (so a table traversal is never disturbed).
    public func withBytes<R>(at index: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let base = lua_tolstring(L, index, &length) else { return nil }
        return try body(UnsafeRawBufferPointer(start: base, count: length))
    }

    /// The bytes of the string at `index` (nil when it is not a string).
    public func toBytes(at index: Int32) -> [UInt8]? {
        withBytes(at: index) { Array($0) }
    }

    /// The string at `index`, or the number at `index` in Lua's format,
    /// decoded as UTF-8 (invalid bytes become U+FFFD); nil for other types.
    public func toString(at index: Int32) -> String? {
        switch type(at: index) {
        case .string:
            return withBytes(at: index) { String(decoding: $0, as: UTF8.self) }
        case .number:
            pushValue(at: index)
            defer { pop() }
            var length = 0
            guard let base = lua_tolstring(L, -1, &length) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: base, count: length), as: UTF8.self)
        default:
            return nil
        }
    }

    public func toLightUserdata(at index: Int32) -> UnsafeMutableRawPointer? {
        lua_touserdata(L, index)
    }

    /// The value at `index`. Tables, functions, userdata and threads come
    /// back as references that keep them alive.
    public func value(at index: Int32) -> LuaValue {
        switch type(at: index) {
        case .none, .nil: return .nil
        case .boolean: return .boolean(toBool(at: index))
        case .number:
            return isInteger(at: index) ? .integer(lua_tointegerx(L, index, nil))
                                        : .number(lua_tonumberx(L, index, nil))
        case .string: return .string(toBytes(at: index) ?? [])
        case .lightUserdata: return .lightUserdata(lua_touserdata(L, index))
        case .table: return .table(LuaReference(self, index))
        case .function: return .function(LuaReference(self, index))
        case .userdata: return .userdata(LuaReference(self, index))
        case .thread: return .thread(LuaReference(self, index))
        }
    }
}
