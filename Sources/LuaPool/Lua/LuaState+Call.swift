import CLua

private let tracebackKey = "luapool.traceback"

/// The message handler of every protected call: it records Lua's traceback
/// in the registry and leaves the error object unchanged, so table errors
/// stay tables.
private let messageHandler: LuaSwiftFunction = { L in
    guard let L else { return 0 }
    luaL_traceback(L, L, nil, 1)
    lua_setfield(L, LuaState.registryIndex, tracebackKey)
    lua_settop(L, 1)
    return 1
}

extension LuaState {
    /// Calls the function below the `arguments` values on top of the stack,
    /// in protected mode, leaving `results` values
    /// (or all of them, with ``multipleResults``).
    ///
    /// - Throws: ``LuaError`` with the error object and a traceback; the
    ///   function and its arguments are gone from the stack either way.
    ///   Wraps `lua_pcall`.
    public func call(arguments: Int32 = 0, results: Int32 = 0) throws(LuaError) {
        let base = lua_gettop(L) - arguments
        pushFunction(messageHandler)
        insert(at: base)
        let status = lua_pcallk(L, arguments, results, base, 0, nil)
        remove(at: base)
        if status != LUA_OK {
            throw popError(status: status)
        }
    }

    /// Calls the function below the `arguments` values as lua.c calls a
    /// chunk (`docall`): its message handler turns the error into the text
    /// lua.c reports (a string with its traceback, or the result of the
    /// error object's `__tostring`) before the stack unwinds. The error
    /// thrown carries that text as its value and message. Wraps
    /// `lua_pcall`.
    public func callAsChunk(arguments: Int32 = 0, results: Int32 = 0) throws(LuaError) {
        let base = lua_gettop(L) - arguments
        clua_pushcfunction(L, clua_msghandler)
        insert(at: base)
        let status = lua_pcallk(L, arguments, results, base, 0, nil)
        remove(at: base)
        if status != LUA_OK {
            throw popError(status: status)
        }
    }

    /// Pushes the message handler ``call(arguments:results:)`` uses, so a
    /// loop of calls can share one (see ``call(arguments:results:handler:)``).
    public func pushMessageHandler() {
        pushFunction(messageHandler)
    }

    /// As ``call(arguments:results:)``, with the message handler already at
    /// `handler` (an absolute index below the function).
    public func call(arguments: Int32, results: Int32, handler: Int32) throws(LuaError) {
        let status = lua_pcallk(L, arguments, results, handler, 0, nil)
        if status != LUA_OK {
            throw popError(status: status)
        }
    }

    /// Loads a chunk from memory without running it, pushing it as a
    /// function. `name` is the chunk name (`=stdin`, `@file.lua`);
    /// `mode` is "b", "t" or "bt". Wraps `luaL_loadbufferx`.
    public func load(_ chunk: UnsafeRawBufferPointer, name: String, mode: String = "bt") throws(LuaError) {
        let status = loadStatus(chunk, name: name, mode: mode)
        if status != LUA_OK { throw popError(status: status) }
    }

    /// Loads a chunk from a string; see ``load(_:name:mode:)``.
    public func load(_ chunk: String, name: String, mode: String = "bt") throws(LuaError) {
        var chunk = chunk
        let status = chunk.withUTF8 { loadStatus(UnsafeRawBufferPointer($0), name: name, mode: mode) }
        if status != LUA_OK { throw popError(status: status) }
    }

    private func loadStatus(_ chunk: UnsafeRawBufferPointer, name: String, mode: String) -> Int32 {
        if let base = chunk.baseAddress, chunk.count > 0 {
            return luaL_loadbufferx(L, base.assumingMemoryBound(to: CChar.self), chunk.count, name, mode)
        }
        return luaL_loadbufferx(L, "", 0, name, mode)
    }

    /// Loads a file as a chunk named `@path` (standard input when `path` is
    /// nil), skipping a first line that starts with `#`. Wraps
    /// `luaL_loadfilex`.
    public func loadFile(_ path: String?, mode: String? = nil) throws(LuaError) {
        let status = luaL_loadfilex(L, path, mode)
        if status != LUA_OK { throw popError(status: status) }
    }

    /// Pops the error object left by a failed call or load.
    ///
    /// The message is made as lua.c's message handler makes it: a string
    /// or number as it is; else the result of `__tostring` (with no
    /// traceback), or, when `__tostring` itself raises, that error;
    /// else `(error object is a T value)`.
    func popError(status: Int32) -> LuaError {
        let value = self.value(at: -1)
        var traceback: String? = nil
        if getRegistry(tracebackKey) == .string { traceback = toString(at: -1) }
        pop()
        pushNil()
        setRegistry(tracebackKey)
        var message = describeError(at: -1)
        var fromToString = false
        if message == nil {
            switch callToString(at: -1) {
            case .success(let text)?:
                (message, fromToString) = (text, true)
            case .failure(let inner)?:
                (message, traceback) = (inner.message, inner.traceback)
            case nil:
                break
            }
        }
        pop()
        return LuaError(
            kind: LuaError.Kind(status: status), value: value,
            message: message ?? "(error object is a \(value.type.name) value)",
            traceback: traceback, messageIsFromToString: fromToString)
    }

    /// The text of a string or number error object.
    private func describeError(at index: Int32) -> String? {
        switch type(at: index) {
        case .string, .number: return toString(at: index)
        default: return nil
        }
    }

    /// Calls the `__tostring` metamethod of the value at `index`, in
    /// protected mode: its string, or the error it raised; nil when there
    /// is no such metamethod or it returns something else.
    func callToString(at index: Int32) -> Result<String, LuaError>? {
        let index = absoluteIndex(index)
        guard getMetafield("__tostring", of: index) != .nil else { return nil }
        pushValue(at: index)
        do {
            try call(arguments: 1, results: 1)
        } catch {
            return .failure(error)
        }
        defer { pop() }
        return type(at: -1) == .string ? toString(at: -1).map { .success($0) } : nil
    }
}

extension LuaType {
    /// The name `type()` gives.
    public var name: String {
        switch self {
        case .none: return "no value"
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .lightUserdata: return "userdata"
        case .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        case .userdata: return "userdata"
        case .thread: return "thread"
        }
    }
}
