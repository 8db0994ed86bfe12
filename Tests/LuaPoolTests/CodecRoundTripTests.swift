import CLua
import LuaPool
import Testing

@Suite("Codec round trips")
struct CodecRoundTripTests {
    @Test func integerSurvives() throws {
        let lua = try makeCodecLua()
        lua.push(lua_Integer(42))
        _ = try lua.roundTrip()
        #expect(lua.value(at: -1).integerValue == 42)
    }
}
