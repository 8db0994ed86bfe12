import CLua

// `multiprocessing.dumps(v)` and `multiprocessing.loads(s [, opts])`: the
// codec as scripts see it, like Python's pickle.dumps / pickle.loads.

extension MultiprocessingModule {
    /// `dumps(v)`: the bytes of `v` as a string. Raises `cannot send ...`
    /// (with the caller's position) for a value the codec refuses, and
    /// `not enough memory` (with no position, as Lua's own memory errors)
    /// when the bytes cannot be allocated.
    static let dumps: LuaSwiftFunction = { L in
        guard let L else { return 0 }
        let lua = LuaState(borrowing: L)
        guard lua.top >= 1 else { return lua.argumentError(1, "value expected") }
        do throws(CodecError) {
            return try Codec.withEncoded(lua, values: 1...1) { bytes in
                lua.push(bytes: bytes)
                return 1
            }
        } catch where error.code == .outOfMemory {
            lua.push(error.message)
            return lua.raiseValue(at: -1)
        } catch {
            return lua.raise(error.message)
        }
    }

    /// `loads(s [, {functions = true}])`: the value(s) `s` holds. Raises
    /// `bad data: ...` (with the caller's position) for a string that is
    /// not a message. Functions (and module tables and the global table)
    /// are refused unless `{functions = true}` is given, which only data
    /// from `dumps` in a trusted place may have: Lua's loader trusts
    /// bytecode, and a function runs when called or as a metamethod.
    static let loads: LuaSwiftFunction = { L in
        guard let L else { return 0 }
        let lua = LuaState(borrowing: L)
        guard lua.type(at: 1) == .string else { return lua.typeError(1, expected: "string") }
        var allowFunctions = false
        switch lua.type(at: 2) {
        case .none, .nil:
            break
        case .table:
            switch readLoadsOptions(lua, at: 2) {
            case .success(let functions): allowFunctions = functions
            case .failure(let message): return lua.argumentError(2, message.text)
            }
        default:
            return lua.typeError(2, expected: "table")
        }
        var length = 0
        let bytes = UnsafeRawBufferPointer(start: lua_tolstring(L, 1, &length), count: length)
        do throws(CodecError) {
            return try Codec.decode(lua, bytes, allowFunctions: allowFunctions)
        } catch {
            return lua.raise(error.message)
        }
    }
}

private struct OptionError: Error {
    let text: String
}

/// The options table of `loads`: only `functions`, a boolean (false when
/// absent).
private func readLoadsOptions(_ lua: LuaState, at index: Int32) -> Result<Bool, OptionError> {
    var functions = false
    lua.ensureStack(3)
    lua.pushNil()
    while lua.next(of: index) {
        defer { lua.pop() }
        guard lua.type(at: -2) == .string, lua.toString(at: -2) == "functions" else {
            let name = lua.type(at: -2) == .string ? lua.toString(at: -2) ?? "?" : lua.typeName(at: -2)
            lua.pop(2)
            return .failure(OptionError(text: "unknown option '\(name)'"))
        }
        guard lua.type(at: -1) == .boolean else {
            let got = lua.typeName(at: -1)
            lua.pop(2)
            return .failure(OptionError(text: "option 'functions' must be a boolean, got \(got)"))
        }
        functions = lua.toBool(at: -1)
    }
    return .success(functions)
}
