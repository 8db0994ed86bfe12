import CLua

// The names C functions and modules travel under. A C function goes under
// its standard-library name if it has one, else under the first name it
// was found under in package.loaded in this process; a module under its
// standard name, else the first name found. Names are kept (weak-keyed
// tables in the registry), so a module loaded later that re-exports a
// function (`M.floor = math.floor`) or aliases a module never renames it.

extension Codec {
    static let functionNamesKey = "luapool.codec.functions"
    static let moduleNamesKey = "luapool.codec.modules"

    /// The standard libraries, in the order their names are taken: a
    /// function in two of them keeps the first (`_G` last).
    static let standardModules = ["string", "table", "math", "io", "os", "coroutine", "utf8", "debug", "package", "_G"]

    /// Records the names of the standard libraries and their C functions
    /// in `lua`, whose libraries are open; call it before anything else
    /// is loaded.
    public static func rememberStandardNames(_ lua: LuaState) {
        let base = lua.top
        defer { lua.top = base }
        guard lua.ensureStack(10) else { return }
        let functions = pushNameTable(lua, functionNamesKey)
        let modules = pushNameTable(lua, moduleNamesKey)
        for module in standardModules {
            let name = Array(module.utf8)
            name.withUnsafeBytes { raw in _ = lua.pushLoaded(module: raw) }
            guard lua.type(at: -1) == .table else {
                lua.pop()
                continue
            }
            let table = lua.top
            if module != "_G" {
                lua.pushValue(at: table)
                lua_rawget(lua.L, modules)
                if lua.type(at: -1) == .nil {
                    lua.pushValue(at: table)
                    lua.push(bytes: name)
                    lua.rawSet(of: modules)
                }
                lua.pop()
            }
            lua.pushNil()
            while lua.next(of: table) {
                if lua.type(at: -2) == .string, lua.isCFunction(at: -1), let field = lua.toBytes(at: -2) {
                    lua.pushValue(at: -1)
                    lua_rawget(lua.L, functions)
                    let known = lua.type(at: -1) != .nil
                    lua.pop()
                    if !known {
                        lua.pushValue(at: -1)
                        pushName(lua, module: name, field: field)
                        lua.rawSet(of: functions)
                    }
                }
                lua.pop()
            }
            lua.pop()
        }
    }

    /// Pushes the weak-keyed table of names at `key` in the registry,
    /// made on first use; returns its index.
    @discardableResult
    static func pushNameTable(_ lua: LuaState, _ key: String) -> Int32 {
        if lua.getRegistry(key) != .table {
            lua.pop()
            lua.newTable()
            lua.newTable()
            lua.push("k")
            lua.setField("__mode", of: -2)
            lua.setMetatable(at: -2)
            lua.pushValue(at: -1)
            lua.setRegistry(key)
        }
        return lua.top
    }

    /// Pushes `{module, field}`.
    static func pushName(_ lua: LuaState, module: [UInt8], field: [UInt8]) {
        lua.newTable(array: 2)
        lua.push(bytes: module)
        lua.rawSet(1, of: -2)
        lua.push(bytes: field)
        lua.rawSet(2, of: -2)
    }

    /// The name the C function at `index` travels under: the one kept,
    /// else where package.loaded has it now (then kept); nil when it has
    /// none.
    static func functionName(_ lua: LuaState, ofValueAt index: Int32) -> (module: [UInt8], field: [UInt8])? {
        let index = lua.absoluteIndex(index)
        let base = lua.top
        defer { lua.top = base }
        guard lua.ensureStack(6) else { return nil }
        let names = pushNameTable(lua, functionNamesKey)
        lua.pushValue(at: index)
        if lua_rawget(lua.L, names) == LUA_TTABLE {
            lua.rawGet(1, of: -1)
            lua.rawGet(2, of: -2)
            if let module = lua.toBytes(at: -2), let field = lua.toBytes(at: -1) { return (module, field) }
        }
        lua.top = names
        guard let found = lua.loadedName(ofValueAt: index) else { return nil }
        lua.pushValue(at: index)
        pushName(lua, module: found.module, field: found.field)
        lua.rawSet(of: names)
        return found
    }

    /// The name the module table at `index`, found in package.loaded as
    /// `found`, travels under: the one kept, else `found` (then kept).
    static func moduleName(_ lua: LuaState, ofValueAt index: Int32, found: UnsafeRawBufferPointer) -> [UInt8] {
        let index = lua.absoluteIndex(index)
        let base = lua.top
        defer { lua.top = base }
        guard lua.ensureStack(4) else { return Array(found) }
        let names = pushNameTable(lua, moduleNamesKey)
        lua.pushValue(at: index)
        if lua_rawget(lua.L, names) == LUA_TSTRING, let kept = lua.toBytes(at: -1) { return kept }
        lua.pop()
        lua.pushValue(at: index)
        lua.push(bytes: found)
        lua.rawSet(of: names)
        return Array(found)
    }
}
