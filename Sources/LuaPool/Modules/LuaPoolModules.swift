import CLua

/// The modules luapool adds to an interpreter.
public enum LuaPoolModules {
    /// Makes `require "multiprocessing"` available in `lua`, whose standard
    /// libraries must be open, and sets the global `pool`: the default pool,
    /// whose workers start at its first use.
    public static func open(_ lua: LuaState) {
        let base = lua.top
        defer { lua.top = base }
        Codec.rememberStandardNames(lua)
        FreshState.openModules = { LuaPoolModules.open($0) }
        PoolObject(workers: nil, configuration: nil).push(onto: lua)
        lua.setGlobal("pool")
        replaceExit(lua)
        guard lua.getGlobal("package") == .table,
              lua.getField("preload", of: -1) == .table else { return }
        lua.pushFunction(openMultiprocessing)
        lua.setField(MultiprocessingModule.name, of: -2)
    }
}

private let openMultiprocessing: LuaSwiftFunction = { L in
    guard let L else { return 0 }
    MultiprocessingModule.push(onto: LuaState(borrowing: L))
    return 1
}
