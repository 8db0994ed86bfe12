import CLua

// Functions as values: C or Lua, bytecode, upvalues and their identity.
// See the Lua manual, sections 4.7 (lua_dump, lua_load) and 4.7 of the
// debug interface (lua_getupvalue, lua_upvalueid, lua_upvaluejoin).

extension LuaState {
    /// Whether the value at `index` is a C function (light or a closure),
    /// as opposed to a Lua function. Wraps `lua_iscfunction`.
    public func isCFunction(at index: Int32) -> Bool {
        lua_iscfunction(L, index) != 0
    }

    /// Whether the value at `index` is a Lua function (not a C function).
    public func isLuaFunction(at index: Int32) -> Bool {
        type(at: index) == .function && !isCFunction(at: index)
    }

    /// Writes the bytecode of the Lua function at `index` through `write`,
    /// called once per block as `lua_dump` produces it. With `strip` false
    /// the debug information (source name, line numbers, local and upvalue
    /// names) is kept.
    ///
    /// - Returns: false when the value is not a Lua function.
    ///   Wraps `lua_dump`.
    @discardableResult
    public func dump(functionAt index: Int32, strip: Bool, _ write: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard isLuaFunction(at: index) else { return false }
        pushValue(at: index)
        defer { pop() }
        return withoutActuallyEscaping(write) { write in
            var context = DumpContext(write: write)
            return withUnsafeMutablePointer(to: &context) { context in
                lua_dump(L, dumpWriter, context, strip ? 1 : 0) == 0
            }
        }
    }

    /// The number of upvalues of the function at `index` (0 for a light C
    /// function). Wraps `lua_getinfo` with `">u"`.
    public func upvalueCount(ofFunctionAt index: Int32) -> Int32 {
        var ar = lua_Debug()
        pushValue(at: index)
        lua_getinfo(L, ">u", &ar)
        return Int32(ar.nups)
    }

    /// Pushes upvalue `n` of the function at `index` and returns true; pushes
    /// nothing and returns false when there is no such upvalue.
    /// Wraps `lua_getupvalue`.
    @discardableResult
    public func getUpvalue(_ n: Int32, ofFunctionAt index: Int32) -> Bool {
        lua_getupvalue(L, index, n) != nil
    }

    /// The name of upvalue `n` of the function at `index`: `""` for C
    /// functions, `(no name)` for stripped bytecode, nil when there is no
    /// such upvalue. Wraps `lua_getupvalue`.
    public func upvalueName(_ n: Int32, ofFunctionAt index: Int32) -> String? {
        guard let name = lua_getupvalue(L, index, n) else { return nil }
        pop()
        return String(cString: name)
    }

    /// Pops a value and makes it upvalue `n` of the function at `index`;
    /// false (and nothing popped) when there is no such upvalue.
    /// Wraps `lua_setupvalue`.
    @discardableResult
    public func setUpvalue(_ n: Int32, ofFunctionAt index: Int32) -> Bool {
        lua_setupvalue(L, index, n) != nil
    }

    /// The identity of upvalue `n` of the function at `index`: closures
    /// that share an upvalue give the same pointer. Nil when there is no
    /// such upvalue. Wraps `lua_upvalueid`.
    public func upvalueID(_ n: Int32, ofFunctionAt index: Int32) -> UnsafeMutableRawPointer? {
        guard n >= 1, n <= upvalueCount(ofFunctionAt: index) else { return nil }
        return lua_upvalueid(L, index, n)
    }

    /// Makes upvalue `n1` of the Lua function at `f1` refer to upvalue `n2`
    /// of the Lua function at `f2`, so that both closures share it.
    ///
    /// - Returns: false, changing nothing, unless both are Lua functions,
    ///   both upvalues exist and they are not one and the same slot (Lua
    ///   itself does not check). Wraps `lua_upvaluejoin`.
    @discardableResult
    public func joinUpvalue(_ n1: Int32, ofFunctionAt f1: Int32, to n2: Int32, ofFunctionAt f2: Int32) -> Bool {
        let f1 = absoluteIndex(f1), f2 = absoluteIndex(f2)
        guard isLuaFunction(at: f1), n1 >= 1, n1 <= upvalueCount(ofFunctionAt: f1),
              isLuaFunction(at: f2), n2 >= 1, n2 <= upvalueCount(ofFunctionAt: f2)
        else { return false }
        if n1 == n2, rawEqual(f1, f2) { return false }
        lua_upvaluejoin(L, f1, n1, f2, n2)
        return true
    }
}

/// What `lua_dump`'s writer receives as its `data` pointer.
private struct DumpContext {
    let write: (UnsafeRawBufferPointer) -> Void
}

private let dumpWriter: lua_Writer = { _, data, size, context in
    guard let context else { return 1 }
    let write = context.assumingMemoryBound(to: DumpContext.self).pointee.write
    write(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

extension LuaState {
    /// Whether the value at `index` can be called: a function, or a value
    /// whose metatable has `__call`. Pushes nothing.
    public func isCallable(at index: Int32) -> Bool {
        if type(at: index) == .function { return true }
        guard getMetafield("__call", of: index) != .nil else { return false }
        pop()
        return true
    }
}
