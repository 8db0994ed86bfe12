import CLua

/// The size chosen for the default pool (`pool`) on the command line
/// (`-j N` / `--workers N`), kept in the interpreter's registry until the
/// pool starts.
public enum DefaultPoolSize {
    private static let registryKey = "luapool.workers"

    /// Records `workers` as the default pool's size in `state`.
    public static func set(_ workers: Int, in state: LuaState) {
        state.push(workers)
        state.setRegistry(registryKey)
    }

    /// The size recorded with ``set(_:in:)``, if any.
    public static func get(in state: LuaState) -> Int? {
        defer { state.pop() }
        guard state.getRegistry(registryKey) == .number else { return nil }
        return state.toInteger(at: -1).map { Int($0) }
    }
}

/// The seed chosen for the default pool on the command line (`--seed N`),
/// kept in the interpreter's registry until the pool starts.
public enum DefaultPoolSeed {
    private static let registryKey = "luapool.seed"

    /// Records `seed` as the default pool's seed in `state`.
    public static func set(_ seed: Int64, in state: LuaState) {
        state.push(seed)
        state.setRegistry(registryKey)
    }

    /// The seed recorded with ``set(_:in:)``, if any.
    public static func get(in state: LuaState) -> Int64? {
        defer { state.pop() }
        guard state.getRegistry(registryKey) == .number else { return nil }
        return state.toInteger(at: -1)
    }
}
