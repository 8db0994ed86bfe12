// LuaValue on its own: its Lua type, literals, and rawequal-like equality.

import CLua
import LuaPool
import Testing

@Suite("LuaValue")
struct LuaValueTests {
    @Test func literalsAndTypes() {
        let values: [(LuaValue, LuaType)] = [
            (nil, .nil), (true, .boolean), (1, .number), (1.5, .number), ("s", .string),
            (.lightUserdata(nil), .lightUserdata),
        ]
        for (value, type) in values { #expect(value.type == type) }
        #expect(LuaValue(integerLiteral: 3).integerValue == 3)
        #expect(LuaValue(floatLiteral: 3).floatValue == 3.0)
        #expect(("héllo" as LuaValue).bytes == Array("héllo".utf8))
        #expect(("x" as LuaValue).stringValue == "x")
        #expect((1 as LuaValue).stringValue == nil)
    }

    @Test func equalityIsLuaRawEquality() {
        #expect(LuaValue.integer(3) == .number(3.0), "3 == 3.0 in Lua")
        #expect(LuaValue.number(3.0) == .integer(3))
        #expect(LuaValue.integer(9_007_199_254_740_993) != .number(9_007_199_254_740_992),
                "2^53 + 1 is not the float 2^53")
        #expect(LuaValue.integer(Int64.max) != .number(9_223_372_036_854_775_808.0))
        #expect(LuaValue.number(.nan) != .number(.nan))
        #expect(LuaValue.number(-0.0) == .number(0.0))
        #expect(LuaValue.string([0, 1]) != .string([0]))
        #expect(LuaValue.nil != .boolean(false))
        #expect(LuaValue.string(Array("1".utf8)) != .integer(1), "no string coercion")
    }

    @Test func referencesCompareByIdentity() throws {
        let lua = try makeLua()
        try lua.run("a = {} f = function() end")
        let a = try lua.evaluate("a"), f = try lua.evaluate("f")
        #expect(a.type == .table && f.type == .function)
        #expect(a == (try lua.evaluate("a")))
        #expect(a != (try lua.evaluate("{}")))
        #expect(a != f)
    }
}
