// What the command line hands to the modules: the default pool size kept
// in the interpreter, and `require "multiprocessing"`.

import LuaPool
import Testing

@Suite("Modules: default pool size and require")
struct LuaPoolModulesTests {
    @Test func defaultPoolSizeRoundTrip() throws {
        let lua = try makeLua()
        #expect(DefaultPoolSize.get(in: lua) == nil)
        DefaultPoolSize.set(3, in: lua)
        #expect(DefaultPoolSize.get(in: lua) == 3)
        DefaultPoolSize.set(4096, in: lua)
        #expect(DefaultPoolSize.get(in: lua) == 4096)
        #expect(lua.top == 0)
    }

    @Test func requireMultiprocessing() throws {
        let lua = try makeLua()
        LuaPoolModules.open(lua)
        #expect(lua.top == 0)
        #expect(try lua.check("type(require 'multiprocessing') == 'table'"))
        #expect(try lua.check("require 'multiprocessing' == package.loaded.multiprocessing"))
    }

    @Test func openWithoutLibrariesDoesNothing() throws {
        let lua = try #require(LuaState())
        LuaPoolModules.open(lua)
        #expect(lua.top == 0)
    }
}
