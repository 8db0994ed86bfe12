import CLua
import LuaPool
import Testing

/// An interpreter with the standard libraries and luapool's modules, with
/// `mp = require "multiprocessing"` as a global.
func makeCodecLua() throws -> LuaState {
    let lua = try makeLua()
    LuaPoolModules.open(lua)
    try lua.run("mp = require 'multiprocessing'")
    return lua
}

/// A Lua table constructor of numbers at the codec's edges: every width of
/// integer and its limits, floats (an integral one, -0.0, infinities,
/// NaN, the largest and smallest).
let codecNumberEdges = """
    {0, -1, 127, -128, 128, -129, 2147483647, -2147483648, 2147483648, -2147483649,
      math.maxinteger, math.mininteger, 0.0, -0.0, 2.0, 1.5, 1/0, -1/0, 0/0, 2^63, 5e-324}
    """

extension LuaState {
    /// Whether the chunk `code` returns true.
    func holds(_ code: String) throws -> Bool {
        try run(code, results: 1)
        defer { pop() }
        return value(at: -1) == .boolean(true)
    }

    /// Encodes the `count` values on top of the stack, pops them, decodes
    /// the bytes and leaves the decoded values on the stack.
    func roundTrip(count: Int32 = 1, allowFunctions: Bool = true) throws -> [UInt8] {
        let bytes = try Codec.encode(self, topValues: count)
        pop(count)
        let decoded = try Codec.decode(self, bytes, allowFunctions: allowFunctions)
        #expect(decoded == count)
        return bytes
    }
}
