import CLua

/// A Swift function callable from Lua.
///
/// It receives the calling `lua_State *` and returns how many results it
/// pushed, or a negative number after pushing an error value (see
/// ``LuaState/raise(_:)``), which the C trampoline then raises: Lua errors
/// never unwind Swift frames.
public typealias LuaSwiftFunction = @convention(c) (OpaquePointer?) -> Int32

extension LuaState {
    public func pushNil() {
        lua_pushnil(L)
    }

    public func push(_ value: Bool) {
        lua_pushboolean(L, value ? 1 : 0)
    }

    public func push(_ value: lua_Integer) {
        lua_pushinteger(L, value)
    }

    public func push(_ value: Int) {
        lua_pushinteger(L, lua_Integer(value))
    }

    public func push(_ value: Double) {
        lua_pushnumber(L, value)
    }

    /// Pushes the UTF-8 bytes of `value`.
    public func push(_ value: String) {
        var value = value
        value.withUTF8 { push(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Pushes a string of arbitrary bytes (zero bytes included).
    public func push(bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            lua_pushlstring(L, base.assumingMemoryBound(to: CChar.self), bytes.count)
        } else {
            lua_pushstring(L, "")
        }
    }

    /// Pushes a string of arbitrary bytes (zero bytes included).
    public func push(bytes: [UInt8]) {
        bytes.withUnsafeBytes { push(bytes: $0) }
    }

    public func push(lightUserdata pointer: UnsafeMutableRawPointer?) {
        lua_pushlightuserdata(L, pointer)
    }

    /// Pushes a copy of the value at `index`.
    public func pushValue(at index: Int32) {
        lua_pushvalue(L, index)
    }

    /// Pushes the global table.
    public func pushGlobals() {
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
    }

    /// Pushes a new empty table, with room for `array` sequence entries and
    /// `hash` other entries.
    public func newTable(array: Int32 = 0, hash: Int32 = 0) {
        lua_createtable(L, array, hash)
    }

    /// Pushes `function` as a Lua function. The `upvalues` values on top of
    /// the stack are popped and become its upvalues, read with
    /// ``upvalueIndex(_:)``.
    public func pushFunction(_ function: LuaSwiftFunction, upvalues: Int32 = 0) {
        clua_pushswiftfunction(L, function, upvalues)
    }

    /// Pushes any value; references must belong to this interpreter.
    public func push(_ value: LuaValue) {
        switch value {
        case .nil: pushNil()
        case .boolean(let b): push(b)
        case .integer(let i): push(i)
        case .number(let d): push(d)
        case .string(let bytes): push(bytes: bytes)
        case .lightUserdata(let p): push(lightUserdata: p)
        case .table(let r), .function(let r), .userdata(let r), .thread(let r):
            r.push(onto: self)
        }
    }
}
