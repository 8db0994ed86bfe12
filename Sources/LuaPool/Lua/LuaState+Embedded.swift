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

let showKey = "luapool.show"
let completeKey = "luapool.complete"

extension LuaState {
    /// Loads the REPL's Lua helpers (``showValues(from:)``,
    /// ``completions(for:)``) now: they keep the library functions they
    /// use from this moment, so call it before user code runs and a script
    /// that sets `string = nil` cannot break them.
    public func prepareREPLHelpers() {
        let saved = top
        defer { top = saved }
        try? pushEmbeddedFunction(showKey, source: showSource)
        try? pushEmbeddedFunction(completeKey, source: completeSource)
    }
}
