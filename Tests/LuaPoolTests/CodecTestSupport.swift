import CLua
import LuaPool
import XCTest

/// A fresh interpreter with the standard libraries and luapool's modules.
func makeCodecState() -> LuaState {
    let lua = LuaState()!
    lua.openLibraries()
    LuaPoolModules.open(lua)
    return lua
}

extension LuaState {
    /// Runs `code`, which may return values; they are left on the stack.
    func execute(_ code: String, results: Int32 = LuaState.multipleResults,
             file: StaticString = #filePath, line: UInt = #line) {
        do {
            try load(code, name: "=test")
            try call(results: results)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}
