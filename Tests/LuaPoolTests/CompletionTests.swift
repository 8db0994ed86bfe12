// What Tab completes in the REPL: LuaState.completions, through a real Lua
// state. No metamethod function may run.

import LuaPool
import Testing

@Suite("LuaState: completions")
struct CompletionTests {
    private func complete(_ line: String, setup: String = "") throws -> LuaCompletions {
        let lua = try makeLua()
        try lua.run(setup)
        let found = lua.completions(for: line)
        #expect(lua.top == 0)
        return found
    }

    @Test func libraryField() throws {
        #expect(try complete("string.fo") == LuaCompletions(word: "fo", candidates: ["format"]))
        #expect(try complete("x = string.g").candidates == ["gmatch", "gsub"])
    }

    @Test func globalsAndKeywords() throws {
        #expect(try complete("pri").candidates == ["print"])
        #expect(try complete("local x = wh").candidates == ["while"])
        #expect(try complete("re").candidates == ["repeat", "require", "return"])
        #expect(try complete("myv", setup: "myvalue, myvar = 1, 2").candidates == ["myvalue", "myvar"])
    }

    @Test func nestedFields() throws {
        let setup = "a = {b = {cat = 1, car = 2, [3] = 0, ['not name'] = 1}}"
        #expect(try complete("a.b.ca", setup: setup).candidates == ["car", "cat"])
        #expect(try complete("a.b.", setup: setup) == LuaCompletions(word: "", candidates: ["car", "cat"]))
        #expect(try complete("a.nothing.x", setup: setup).candidates.isEmpty)
    }

    @Test func methodsAfterColon() throws {
        #expect(try complete("s:up", setup: "s = 'text'").candidates == ["upper"])
        #expect(try complete("io.stdout:wr").candidates == ["write"])
        let setup = "o = setmetatable({field = 1}, {__index = {method = function() end, other = 2}})"
        #expect(try complete("o:", setup: setup).candidates == ["method"])
        #expect(try complete("o.", setup: setup).candidates == ["field", "method", "other"])
    }

    @Test("pool., p:, Process objects: their methods, no metamethods or internal keys (no worker is started)")
    func poolObjects() throws {
        let lua = try makeCodecLua()
        try lua.run("""
            p = pool
            proc = mp.Process(print)
            t = setmetatable({}, {__index = {__hidden = 1, shown = 2}, __call = print})
            """)
        let poolMethods = ["apply", "apply_async", "close", "imap", "imap_unordered", "join",
                           "map", "map_async", "starmap", "starmap_async", "terminate"]
        #expect(lua.completions(for: "pool.").candidates == poolMethods)
        #expect(lua.completions(for: "p:").candidates == poolMethods)
        #expect(lua.completions(for: "p:ma").candidates == ["map", "map_async"])
        #expect(lua.completions(for: "proc:").candidates == ["close", "is_alive", "join", "kill", "start", "terminate"])
        #expect(lua.completions(for: "pool._").candidates.isEmpty)
        #expect(lua.completions(for: "t.").candidates == ["shown"])
    }

    @Test func userCannotBreakItByReplacingGlobals() throws {
        let lua = try makeLua()
        lua.prepareREPLHelpers()
        try lua.run("string = {format = 1} table = nil type = nil next = nil debug = nil")
        #expect(lua.completions(for: "string.fo").candidates == ["format"])
    }

    @Test func noUserCodeRuns() throws {
        let setup = """
            called = false
            o = setmetatable({}, {__index = function() called = true; error('boom') end})
            """
        let lua = try makeLua()
        try lua.run(setup)
        #expect(lua.completions(for: "o.x.y").candidates.isEmpty)
        #expect(lua.completions(for: "o:").candidates.isEmpty)
        #expect(try lua.check("called == false"))
    }

    @Test func nothingToComplete() throws {
        #expect(try complete("x = 1.5").candidates.isEmpty)
        #expect(try complete("").candidates.isEmpty)
        #expect(try complete("a:b.c", setup: "a = {b = {c = 1}}").candidates.isEmpty)
    }
}
