import CLua
import LuaPool
import XCTest

final class CodecRoundTripTests: XCTestCase {
    func testScalars() throws {
        let lua = makeCodecState()
        lua.execute("x = 42")
        lua.getGlobal("x")
        let bytes = try Codec.encode(lua, topValues: 1)
        lua.pop()
        XCTAssertEqual(try Codec.decode(lua, bytes), 1)
        XCTAssertEqual(lua.value(at: -1), .integer(42))
    }
}
