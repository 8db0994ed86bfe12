import CLua

extension LuaState {
    /// Pushes the function that the Lua chunk `source` returns. The chunk
    /// runs once per state; its function is kept in the registry under
    /// `key` and reused.
    ///
    /// - Throws: ``LuaError`` when the chunk does not load or run (nothing
    ///   is pushed then).
    func pushEmbeddedFunction(_ key: String, source: String) throws(LuaError) {
        if getRegistry(key) == .function { return }
        pop()
        try load(source, name: "=" + key)
        try call(arguments: 0, results: 1)
        pushValue(at: -1)
        setRegistry(key)
    }
}
