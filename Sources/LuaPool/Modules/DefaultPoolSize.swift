import CLua

/// What the command line chose for the default pool (`pool`): its size
/// (`-j N` / `--workers N`) and its seed (`--seed N`), kept in the
/// interpreter's registry until the pool starts.
public enum DefaultPoolSize {
    /// Records `workers` as the default pool's size in `state`.
    public static func set(_ workers: Int, in state: LuaState) {
        store(lua_Integer(workers), "luapool.workers", in: state)
    }

    /// The size recorded with ``set(_:in:)``, if any.
    public static func get(in state: LuaState) -> Int? {
        load("luapool.workers", in: state).map { Int($0) }
    }

    /// Records `seed` as the default pool's seed in `state`.
    public static func setSeed(_ seed: Int64, in state: LuaState) {
        store(seed, "luapool.seed", in: state)
    }

    /// The seed recorded with ``setSeed(_:in:)``, if any.
    public static func seed(in state: LuaState) -> Int64? {
        load("luapool.seed", in: state)
    }

    private static func store(_ value: lua_Integer, _ key: String, in state: LuaState) {
        state.push(value)
        state.setRegistry(key)
    }

    private static func load(_ key: String, in state: LuaState) -> lua_Integer? {
        defer { state.pop() }
        guard state.getRegistry(key) == .number else { return nil }
        return state.toInteger(at: -1)
    }
}
