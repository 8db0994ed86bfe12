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
