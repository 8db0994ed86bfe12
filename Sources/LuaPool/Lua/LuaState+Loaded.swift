import CLua

// Values found by name in package.loaded (the registry's `_LOADED` table):
// modules, and the functions they hold. The names are Lua strings, kept as
// bytes: a module name may contain dots (`socket.core`) or any byte.

extension LuaState {
    /// Calls `body` with the name and the stack index of every table in
    /// package.loaded under a string key, in table order. The stack above
    /// the index must be left as `body` found it.
    public func forEachLoadedModule(_ body: (_ name: UnsafeRawBufferPointer, _ index: Int32) -> Void) {
        let base = top
        defer { top = base }
        guard ensureStack(4), getRegistry(LUA_LOADED_TABLE) == .table else { return }
        let loaded = top
        pushNil()
        while next(of: loaded) {
            if type(at: -2) == .string, type(at: -1) == .table {
                _ = withBytes(at: -2) { name in body(name, top) }
            }
            pop()
        }
    }

    /// Where the value at `index` is found as `package.loaded[module][field]`
    /// (both string keys, compared raw), or nil. When it is found under
    /// several names, a module other than `_G` wins (a global may be an
    /// alias; the module is where the function comes from), then the
    /// bytewise smallest (module, field) pair, so that the answer does not
    /// depend on table order.
    public func loadedName(ofValueAt index: Int32) -> (module: [UInt8], field: [UInt8])? {
        let target = absoluteIndex(index)
        var best: (module: [UInt8], field: [UInt8])? = nil
        forEachLoadedModule { moduleName, module in
            guard ensureStack(3) else { return }
            pushNil()
            while next(of: module) {
                if type(at: -2) == .string, rawEqual(-1, target),
                   let field = toBytes(at: -2) {
                    let candidate = (Array(moduleName), field)
                    if let current = best, !precedes(candidate, current) {
                        pop()
                        continue
                    }
                    best = candidate
                }
                pop()
            }
        }
        return best
    }

    /// Pushes `package.loaded[module]`, or `package.loaded[module][field]`
    /// when `field` is given, raw, and returns its type (`.nil` when any
    /// step is missing; a nil is pushed then).
    @discardableResult
    public func pushLoaded(module: UnsafeRawBufferPointer, field: UnsafeRawBufferPointer? = nil) -> LuaType {
        ensureStack(3)
        guard getRegistry(LUA_LOADED_TABLE) == .table else {
            pop()
            pushNil()
            return .nil
        }
        push(bytes: module)
        lua_rawget(L, -2)
        remove(at: -2)
        guard let field else { return type(at: -1) }
        guard type(at: -1) == .table else {
            pop()
            pushNil()
            return .nil
        }
        push(bytes: field)
        lua_rawget(L, -2)
        remove(at: -2)
        return type(at: -1)
    }
}

private let globalsModule = Array("_G".utf8)

private func precedes(_ a: ([UInt8], [UInt8]), _ b: ([UInt8], [UInt8])) -> Bool {
    let (aIsGlobal, bIsGlobal) = (a.0 == globalsModule, b.0 == globalsModule)
    if aIsGlobal != bIsGlobal { return bIsGlobal }
    return a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0.lexicographicallyPrecedes(b.0)
}
