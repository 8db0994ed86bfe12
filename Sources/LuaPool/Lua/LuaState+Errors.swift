import CLua

// Errors raised from Swift functions, worded as lauxlib.c words them.

extension LuaState {
    /// Pushes `message` prefixed with the position of the Lua code that
    /// called the running function, and returns the sentinel a
    /// ``LuaSwiftFunction`` returns to raise it. Like `luaL_error`.
    public func raise(_ message: String) -> Int32 {
        push(position(level: 1) + message)
        return -1
    }

    /// Pushes the value at `index` as the error object, unchanged, and
    /// returns the sentinel that raises it. Like `lua_error`.
    public func raiseValue(at index: Int32) -> Int32 {
        pushValue(at: index)
        return -1
    }

    /// `chunk:line: ` for the function at `level` of the call stack, or ""
    /// when that is not Lua code. Like `luaL_where`.
    public func position(level: Int32) -> String {
        var ar = lua_Debug()
        guard lua_getstack(L, level, &ar) != 0 else { return "" }
        lua_getinfo(L, "Sl", &ar)
        guard ar.currentline > 0 else { return "" }
        let source = withUnsafeBytes(of: &ar.short_src) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return "\(source):\(ar.currentline): "
    }

    /// The message `luaL_argerror` gives for argument `argument` of the
    /// running function: `bad argument #2 to 'map' (table expected, got nil)`,
    /// counting as `luaL_argerror` does for methods called with `:`.
    public func argumentErrorMessage(_ argument: Int32, _ detail: String) -> String {
        var ar = lua_Debug()
        guard lua_getstack(L, 0, &ar) != 0 else {
            return "bad argument #\(argument) (\(detail))"
        }
        lua_getinfo(L, "n", &ar)
        var argument = argument
        let name = ar.name.map { String(cString: $0) }
        if let namewhat = ar.namewhat, String(cString: namewhat) == "method" {
            argument -= 1
            if argument == 0 {
                return "calling '\(name ?? "?")' on bad self (\(detail))"
            }
        }
        let shown = name ?? runningFunctionGlobalName() ?? functionName ?? "?"
        return "bad argument #\(argument) to '\(shown)' (\(detail))"
    }

    /// Raises ``argumentErrorMessage(_:_:)`` with the caller's position.
    public func argumentError(_ argument: Int32, _ detail: String) -> Int32 {
        raise(argumentErrorMessage(argument, detail))
    }

    /// Raises `bad argument #N to 'f' (T expected, got U)`, naming U as
    /// `luaL_typeerror` does (`__name`, "light userdata", "no value").
    public func typeError(_ argument: Int32, expected: String) -> Int32 {
        argumentError(argument, "\(expected) expected, got \(typeNameForError(at: argument))")
    }

    /// The type name an error message gives the value at `index`.
    public func typeNameForError(at index: Int32) -> String {
        let nameType = getMetafield("__name", of: index)
        if nameType != .nil {
            defer { pop() }
            if nameType == .string, let name = toString(at: -1) { return name }
        }
        if type(at: index) == .lightUserdata { return "light userdata" }
        return type(at: index).name
    }

    /// The name, such as `string.format`, under which the running function
    /// is reachable from `package.loaded`.
    private func runningFunctionGlobalName() -> String? {
        var ar = lua_Debug()
        guard lua_getstack(L, 0, &ar) != 0 else { return nil }
        lua_getinfo(L, "f", &ar)
        defer { pop() }
        return globalName(ofFunctionAt: -1)
    }

    /// The name `module.field` under which the value at `index` is found in
    /// `package.loaded` (`_G.` dropped, so globals are bare names), or nil.
    /// The search is the one lauxlib makes for error messages: modules
    /// first level, their fields second, in table order.
    public func globalName(ofFunctionAt index: Int32) -> String? {
        let target = absoluteIndex(index)
        let base = top
        defer { top = base }
        ensureStack(6)
        guard getRegistry(LUA_LOADED_TABLE) == .table else { return nil }
        let loaded = top
        pushNil()
        while next(of: loaded) {
            let module = top
            if type(at: module - 1) == .string, type(at: module) == .table {
                pushNil()
                while next(of: module) {
                    if type(at: -2) == .string, rawEqual(-1, target) {
                        let moduleName = toString(at: module - 1) ?? "?"
                        let field = toString(at: -2) ?? "?"
                        return moduleName == "_G" ? field : moduleName + "." + field
                    }
                    pop()
                }
            }
            pop()
        }
        return nil
    }
}
