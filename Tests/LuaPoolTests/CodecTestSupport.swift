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

extension LuaState {
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
