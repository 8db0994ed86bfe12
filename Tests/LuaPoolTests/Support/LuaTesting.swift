import CLua
import LuaPool
import Testing

/// A fresh interpreter with the standard libraries open.
func makeLua() throws -> LuaState {
    let lua = try #require(LuaState())
    lua.openLibraries()
    return lua
}

extension LuaState {
    /// Runs `code` (chunk name `=test`) and leaves its results on the
    /// stack (`results` of them, or all with ``LuaState/multipleResults``).
    func run(_ code: String, results: Int32 = 0) throws(LuaError) {
        try load(code, name: "=test")
        try call(arguments: 0, results: results)
    }

    /// The single result of the Lua expression `expression`, pulled and
    /// popped.
    func evaluate(_ expression: String) throws -> LuaValue {
        try run("return " + expression, results: 1)
        defer { pop() }
        return value(at: -1)
    }

    /// Whether the Lua expression `condition` is true.
    func check(_ condition: String) throws -> Bool {
        try evaluate(condition) == .boolean(true)
    }

    /// The error a chunk raises; fails the test if it raises none.
    func error(running code: String, sourceLocation: SourceLocation = #_sourceLocation) -> LuaError? {
        do {
            try run(code)
            Issue.record("no error from: \(code)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

extension LuaValue {
    /// The integer of an `.integer`, nil for every other case (a float
    /// with an integral value included).
    var integerValue: lua_Integer? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The double of a `.number` (a float), nil for every other case.
    var floatValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// The bytes of a `.string`.
    var bytes: [UInt8]? {
        if case .string(let b) = self { return b }
        return nil
    }

    /// The reference of a table, function, userdata or thread.
    var reference: LuaReference? {
        switch self {
        case .table(let r), .function(let r), .userdata(let r), .thread(let r): return r
        default: return nil
        }
    }
}
