import CLua

// Readers of arguments that several Lua-facing functions share: options
// tables, whole numbers, timeouts, arguments a function does not take,
// and how a bad value is named in an error message.

/// Walks the options table at index 1 (`Pool{...}`, `Process{...}`):
/// calls `body` with each option's name and the stack index of its value;
/// `body` returns false for a name it does not know. Names must be
/// strings. Values `body` pushes below the walk (at index 2) stay there.
func forEachOption(_ lua: LuaState, _ body: (String, Int32) throws(LuaRaise) -> Bool) throws(LuaRaise) {
    lua.ensureStack(8)
    lua.pushNil()
    while lua.next(of: 1) {
        guard lua.type(at: -2) == .string, let key = lua.toString(at: -2) else {
            throw lua.argumentFailure(1, "option names must be strings, got \(lua.typeName(at: -2))")
        }
        guard try body(key, lua.top) else { throw lua.argumentFailure(1, "unknown option '\(key)'") }
        lua.pop()
    }
}

/// The integer value of a number that has one (`3`, `3.0`), else nil.
func integerValue(_ lua: LuaState, at index: Int32) -> lua_Integer? {
    if lua.isInteger(at: index) { return lua.toInteger(at: index) }
    guard let x = lua.toNumber(at: index), x == x.rounded(), abs(x) < 9.2e18 else { return nil }
    return lua_Integer(x)
}

/// `3.5`, `'abc'`, `a table`: a bad option value, for a message. Numbers
/// read as `tostring` gives them, but a NaN is `nan` whatever its sign
/// bit (`tostring(0/0)` is `-nan` on x86).
func describe(_ lua: LuaState, at index: Int32) -> String {
    switch lua.type(at: index) {
    case .number:
        if let x = lua.toNumber(at: index), x.isNaN { return "nan" }
        return lua.toString(at: index) ?? "a number"
    case .string: return "'\(lua.toString(at: index) ?? "")'"
    case .nil, .none: return "nil"
    default: return "a \(lua.typeNameForError(at: index))"
    }
}

/// An optional timeout in seconds: a non-negative number.
func readTimeout(_ call: LuaMethodCall, argument n: Int32) throws(LuaRaise) -> Double? {
    let index = call.argument(n)
    switch call.lua.type(at: index) {
    case .none, .nil:
        return nil
    case .number:
        guard let seconds = call.lua.toNumber(at: index), seconds >= 0, !seconds.isNaN else {
            throw call.lua.argumentFailure(
                index, "timeout must be a non-negative number of seconds, got \(describe(call.lua, at: index))")
        }
        return seconds
    default:
        throw call.lua.typeFailure(index, expected: "number")
    }
}

extension LuaMethodCall {
    /// Refuses values after the method's `count` arguments (the object not
    /// counted): `bad argument #3 to 'apply_async' (no value expected, got
    /// function)`. Extra nils pass (a call that forwards `...` may end in
    /// some).
    func checkNoArguments(after count: Int32) throws(LuaRaise) {
        try lua.checkNoArguments(from: argument(count + 1))
    }
}

extension LuaState {
    /// Refuses a value other than nil at stack index `first` or above, for
    /// a function that takes only the arguments below it.
    func checkNoArguments(from first: Int32) throws(LuaRaise) {
        guard first <= top else { return }
        for index in first...top where type(at: index) != .nil {
            throw argumentFailure(index, "no value expected, got \(typeNameForError(at: index))")
        }
    }
}
