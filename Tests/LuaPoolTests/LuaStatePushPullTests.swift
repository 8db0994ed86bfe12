// Values pushed from Swift reach Lua as the same Lua value, and values
// pulled from Lua come back unchanged: integers and floats kept apart,
// the sign of -0.0, NaN and infinities, strings of any bytes.

import CLua
import Foundation
import LuaPool
import Testing

@Suite("LuaState: push and pull")
struct LuaStatePushPullTests {
    @Test func nilRoundTrip() throws {
        let lua = try makeLua()
        lua.pushNil()
        #expect(lua.type(at: -1) == .nil)
        #expect(lua.value(at: -1) == .nil)
        lua.push(LuaValue.nil)
        #expect(lua.type(at: -1) == .nil)
        lua.pop(2)
        #expect(lua.value(at: 1) == .nil, "an index past the top reads as nil")
        #expect(lua.type(at: 1) == .none)
        #expect(lua.top == 0)
    }

    @Test(arguments: [true, false])
    func booleanRoundTrip(_ b: Bool) throws {
        let lua = try makeLua()
        lua.push(b)
        #expect(lua.type(at: -1) == .boolean)
        #expect(lua.value(at: -1) == .boolean(b))
        #expect(lua.toBool(at: -1) == b)
        lua.setGlobal("v")
        #expect(try lua.check("v == \(b)"))
        #expect(try lua.evaluate("\(b)") == .boolean(b))
        #expect(lua.top == 0)
    }

    @Test(arguments: [0, 1, -1, 42, 1 << 53 + 1, Int64.max, Int64.min] as [lua_Integer])
    func integerRoundTrip(_ i: lua_Integer) throws {
        let lua = try makeLua()
        lua.push(i)
        #expect(lua.isInteger(at: -1))
        #expect(lua.value(at: -1).integerValue == i)
        #expect(lua.toInteger(at: -1) == i)
        lua.setGlobal("v")
        #expect(try lua.check("math.type(v) == 'integer'"))
        #expect(try lua.evaluate("v").integerValue == i)
        lua.push(LuaValue.integer(i))
        #expect(lua.isInteger(at: -1) && lua.value(at: -1).integerValue == i)
        lua.pop()
        #expect(lua.top == 0)
    }

    @Test func integerLimitsMatchLua() throws {
        let lua = try makeLua()
        #expect(try lua.evaluate("math.maxinteger").integerValue == clua_maxinteger())
        #expect(try lua.evaluate("math.mininteger").integerValue == clua_mininteger())
        lua.push(Int64.min)
        lua.setGlobal("v")
        #expect(try lua.check("v == math.mininteger and v - 1 == math.maxinteger"))
        lua.push(Int.max)
        lua.setGlobal("w")
        #expect(try lua.check("w == math.maxinteger and math.type(w) == 'integer'"))
    }

    @Test(arguments: [0.5, 1.0, -2.0, 1e300, .leastNonzeroMagnitude, .pi, Double(Int64.max), .infinity, -.infinity])
    func floatRoundTrip(_ d: Double) throws {
        let lua = try makeLua()
        lua.push(d)
        #expect(!lua.isInteger(at: -1))
        #expect(lua.value(at: -1).floatValue == d)
        lua.setGlobal("v")
        #expect(try lua.check("math.type(v) == 'float'"))
        #expect(try lua.evaluate("v").floatValue == d)
        lua.push(LuaValue.number(d))
        #expect(lua.value(at: -1).floatValue == d)
        lua.pop()
        #expect(lua.top == 0)
    }

    @Test func integralFloatStaysAFloat() throws {
        let lua = try makeLua()
        #expect(try lua.evaluate("3.0").floatValue == 3.0)
        #expect(try lua.evaluate("3.0").integerValue == nil)
        #expect(try lua.evaluate("3").integerValue == 3)
        #expect(try lua.evaluate("2^53").floatValue == 9007199254740992)
        #expect(try lua.evaluate("7 // 2").integerValue == 3)
        #expect(try lua.evaluate("7 / 7").floatValue == 1.0)
    }

    @Test func nanRoundTrip() throws {
        let lua = try makeLua()
        lua.push(Double.nan)
        lua.setGlobal("v")
        #expect(try lua.check("v ~= v and math.type(v) == 'float'"))
        let back = try #require(try lua.evaluate("v").floatValue)
        #expect(back.isNaN)
        #expect(try #require(try lua.evaluate("0/0").floatValue).isNaN)
    }

    @Test func negativeZeroKeepsItsSign() throws {
        let lua = try makeLua()
        lua.push(-0.0)
        lua.setGlobal("v")
        #expect(try lua.check("1/v == -math.huge and math.type(v) == 'float'"))
        let back = try #require(try lua.evaluate("v").floatValue)
        #expect(back == 0 && back.sign == .minus)
        let fromLua = try #require(try lua.evaluate("-0.0").floatValue)
        #expect(fromLua.sign == .minus)
        let positive = try #require(try lua.evaluate("0.0").floatValue)
        #expect(positive.sign == .plus)
    }

    @Test(arguments: [
        [],
        Array("hello".utf8),
        [0x61, 0x00, 0x62],            // a zero byte inside
        [0x00, 0x00],
        [0xff, 0xfe, 0x80, 0xc3],      // not UTF-8
        Array("héllo wörld ✓".utf8),
    ] as [[UInt8]])
    func bytesRoundTrip(_ bytes: [UInt8]) throws {
        let lua = try makeLua()
        lua.push(bytes: bytes)
        #expect(lua.type(at: -1) == .string)
        #expect(lua.toBytes(at: -1) == bytes)
        #expect(lua.value(at: -1).bytes == bytes)
        lua.setGlobal("v")
        #expect(try lua.check("#v == \(bytes.count)"))
        let codes = bytes.map(String.init).joined(separator: ",")
        #expect(try lua.check("v == string.char(\(codes))"))
        #expect(try lua.evaluate("v").bytes == bytes)
        lua.push(LuaValue.string(bytes))
        #expect(lua.toBytes(at: -1) == bytes)
        lua.pop()
        #expect(lua.top == 0)
    }

    @Test func swiftStringsWithZeroBytes() throws {
        let lua = try makeLua()
        lua.push("a\u{0}b\u{0}")
        lua.setGlobal("v")
        #expect(try lua.check("v == 'a\\0b\\0' and #v == 4"))
        #expect(try lua.evaluate("'x\\0y'").stringValue == "x\u{0}y")
        #expect(try lua.evaluate("'x\\0y'").bytes == [0x78, 0, 0x79])
        lua.push("")
        #expect(lua.toBytes(at: -1) == [] && lua.toString(at: -1) == "")
    }

    @Test func invalidUTF8ReadAsTextUsesReplacementCharacters() throws {
        let lua = try makeLua()
        lua.push(bytes: [0x61, 0xff, 0x62])
        #expect(lua.toString(at: -1) == "a\u{FFFD}b")
        #expect(lua.value(at: -1).stringValue == "a\u{FFFD}b")
        #expect(lua.toBytes(at: -1) == [0x61, 0xff, 0x62])
    }

    @Test func numbersAsText() throws {
        let lua = try makeLua()
        lua.push(42)
        lua.push(1.5)
        lua.push(2.0)
        #expect(lua.toString(at: -3) == "42")
        #expect(lua.toString(at: -2) == "1.5")
        #expect(lua.toString(at: -1) == "2.0")
        #expect(lua.type(at: -1) == .number, "reading as text leaves the number a number")
        #expect(lua.toBytes(at: -1) == nil, "toBytes does not convert numbers")
        lua.pushNil()
        #expect(lua.toString(at: -1) == nil)
        lua.pop(4)
        #expect(lua.top == 0)
    }

    @Test func conversions() throws {
        let lua = try makeLua()
        lua.push(3.0)
        #expect(lua.toInteger(at: -1) == 3)
        lua.push(3.5)
        #expect(lua.toInteger(at: -1) == nil)
        #expect(lua.toNumber(at: -1) == 3.5)
        lua.push("10")
        #expect(lua.toInteger(at: -1) == 10)
        lua.push("x")
        #expect(lua.toNumber(at: -1) == nil && lua.toInteger(at: -1) == nil)
        lua.pushNil()
        #expect(!lua.toBool(at: -1))
        lua.push(0)
        #expect(lua.toBool(at: -1), "0 is true in Lua")
        lua.pop(6)
        #expect(lua.top == 0)
    }

    @Test func typeNames() throws {
        let lua = try makeLua()
        try lua.run("return nil, true, 1, 's', {}, print, io.stdout, coroutine.create(print)",
                    results: 8)
        let names = (1...8).map { lua.typeName(at: Int32($0)) }
        #expect(names == ["nil", "boolean", "number", "string", "table", "function", "userdata", "thread"])
        #expect((1...8).map { lua.type(at: Int32($0)).name } == names)
        #expect(LuaType.none.name == "no value")
        #expect(LuaType.lightUserdata.name == "userdata")
    }
}
