import CLua

/// The interpreter of a worker that starts fresh (`start = "spawn"`): a
/// fork that builds a new `lua_State` (standard libraries, luapool's
/// modules, the host's `package.path` and `package.cpath`) and never
/// touches the one it inherited. It has nothing of the script: functions
/// and values come by value, modules by name, globals on demand (see
/// Message.swift), exactly as for a worker on another machine.
public enum FreshState {
    /// Opens luapool's modules in a new state: set by the layer that has
    /// them (Modules), so that this one does not depend on it.
    nonisolated(unsafe) public static var openModules: ((LuaState) -> Void)?

    /// What a fresh state takes from the host, read in the host before
    /// the fork.
    struct Seed {
        var path: [UInt8]?
        var cpath: [UInt8]?
        /// The codec message of the initializer and its arguments.
        var initializer: [UInt8]?
    }

    /// Reads what a fresh worker of `configuration` takes from `host`.
    static func seed(_ host: LuaState, _ configuration: WorkerPool.Configuration) -> Seed {
        let base = host.top
        defer { host.top = base }
        var seed = Seed(initializer: configuration.initializerMessage)
        if host.getGlobal("package") == .table {
            if host.getField("path", of: -1) == .string { seed.path = host.toBytes(at: -1) }
            host.pop()
            if host.getField("cpath", of: -1) == .string { seed.cpath = host.toBytes(at: -1) }
        }
        return seed
    }

    /// In the new worker: the new interpreter, or nil when it cannot be
    /// made (no memory). Its random numbers are seeded from the system.
    static func make(_ seed: Seed) -> LuaState? {
        guard let lua = LuaState() else { return nil }
        LuaAllocator.install(in: lua)
        _ = clua_gc(lua.L, LUA_GCSTOP)
        lua.openLibraries()
        openModules?(lua)
        let base = lua.top
        if lua.getGlobal("package") == .table {
            for (key, value) in [("path", seed.path), ("cpath", seed.cpath)] {
                guard let value else { continue }
                lua.push(bytes: value)
                lua.setField(key, of: -2)
            }
        }
        lua.top = base
        _ = clua_gc(lua.L, LUA_GCRESTART)
        _ = clua_gc_generational(lua.L)
        Fork.reseedRandom(lua)
        return lua
    }

    /// Decodes the initializer and its arguments into `lua` and returns
    /// registry references to them (nil for what there is not).
    static func initializer(_ lua: LuaState, _ seed: Seed) throws(CodecError) -> (Int32?, Int32?) {
        guard let message = seed.initializer else { return (nil, nil) }
        let base = lua.top
        defer { lua.top = base }
        guard try Codec.decode(lua, message) == 2 else { return (nil, nil) }
        let arguments: Int32? = lua.type(at: -1) == .nil ? nil : luaL_ref(lua.L, LuaState.registryIndex)
        if arguments == nil { lua.pop() }
        let function = luaL_ref(lua.L, LuaState.registryIndex)
        return (function, arguments)
    }
}
