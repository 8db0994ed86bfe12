import CLua

/// `require "multiprocessing"`: the module table scripts see.
enum MultiprocessingModule {
    static let name = "multiprocessing"

    /// The module's functions, by the name scripts call them.
    static let functions: [(String, LuaSwiftFunction)] = [
        ("Pool", pool),
        ("Process", process),
        ("active_children", activeChildren),
        ("parent_process", parentProcess),
        ("cpu_count", cpuCount),
        ("world", world),
        ("current_process", currentProcess),
        ("dumps", dumps),
        ("loads", loads),
        ("grid", grid),
        ("write_csv", writeCSV),
    ]

    /// Pushes a new module table.
    static func push(onto lua: LuaState) {
        lua.newTable(hash: Int32(functions.count))
        for (name, function) in functions {
            lua.pushFunction(function)
            lua.setField(name, of: -2)
        }
    }
}
