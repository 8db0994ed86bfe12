// How the REPL shows results on a terminal: LuaState.showValues, through a
// real Lua state.

import LuaPool
import Testing

@Suite("LuaState: values as the REPL shows them")
struct ShowValuesTests {
    /// The values `code` returns, as showValues gives them.
    private func show(_ code: String, setup: String = "") throws -> String {
        let lua = try makeLua()
        lua.prepareREPLHelpers()
        try lua.run(setup)
        try lua.run(code, results: LuaState.multipleResults)
        let text = String(decoding: try lua.showValues(from: 1), as: UTF8.self)
        #expect(lua.top == 0)
        return text
    }

    @Test func scalarsTabSeparated() throws {
        #expect(try show("return 1, 2.5, 1.0, true, nil, -0.0") == "1\t2.5\t1.0\ttrue\tnil\t-0.0")
    }

    @Test func noValuesNothing() throws {
        #expect(try show("return") == "")
    }

    @Test func stringsQuotedWithEscapes() throws {
        let shown = try show(#"return "plain", 'say "hi"', "a\\b", "tab\there\nnext", "\0\27\127", "é""#)
        #expect(shown.split(separator: "\t") == [
            #""plain""#, #""say \"hi\"""#, #""a\\b""#, #""tab\there\nnext""#, #""\x00\x1b\x7f""#, #""é""#,
        ])
    }

    @Test func arrayPartThenSortedKeys() throws {
        let text = try show(#"""
            return {1, 2, 3, b = 1, a = "x", [10] = true, [-1.5] = 0, [false] = 0, [true] = 1,
                    ["not a name"] = 1, ["end"] = 2, _z = 3}
            """#)
        #expect(text == #"""
            {
              1, 2, 3,
              [-1.5] = 0,
              [10] = true,
              _z = 3,
              a = "x",
              b = 1,
              ["end"] = 2,
              ["not a name"] = 1,
              [false] = 0,
              [true] = 1
            }
            """#)
    }

    @Test func nestedOnOneLineWhenShort() throws {
        #expect(try show("return {a = {b = {c = {}}}, 'x'}") == #"{ "x", a = { b = { c = {} } } }"#)
        #expect(try show("return {}") == "{}")
    }

    @Test func wideTablesTakeOneLineAnEntry() throws {
        let text = try show(#"return {alpha = string.rep("a", 30), beta = string.rep("b", 30), gamma = {1, 2}}"#)
        #expect(text == """
            {
              alpha = "\(String(repeating: "a", count: 30))",
              beta = "\(String(repeating: "b", count: 30))",
              gamma = { 1, 2 }
            }
            """)
    }

    @Test func longArraysPackedAndCutWithACount() throws {
        let text = try show("local t = {} for i = 1, 150 do t[i] = i end return t")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "{")
        #expect(lines.last == "}")
        #expect(lines.dropFirst().first?.hasPrefix("  1, 2, 3, 4,") == true)
        #expect(text.contains("99, 100, ... (+50 more)"))
        #expect(!text.contains("101"))
        #expect(lines.allSatisfy { $0.count <= 78 })
    }

    @Test func cyclesAndRepeatsLabelled() throws {
        #expect(try show("local t = {} t.self = t return t") == "<1>{ self = <cycle 1> }")
        #expect(try show("local s = {1} return {s, s, {s}}") == "{ <1>{ 1 }, <ref 1>, { <ref 1> } }")
        #expect(try show("local a, b = {}, {} a.b, b.a = b, a return a, b")
                == "<1>{ b = { a = <cycle 1> } }\t<1>{ a = { b = <cycle 1> } }")
    }

    @Test func depthLimited() throws {
        let text = try show("local t = {} for i = 1, 10 do t = {t} end return t")
        #expect(text == "{ { { { { { {...} } } } } } }")
    }

    @Test func toStringMetamethodUsedAndItsErrorsContained() throws {
        #expect(try show("return setmetatable({}, {__tostring = function() return 'point(1, 2)' end})")
                == "point(1, 2)")
        let raising = try show("return setmetatable({}, {__tostring = function() error('no') end})")
        #expect(raising.hasPrefix("table: 0x"))
        #expect(try show("return setmetatable({1}, {__index = function() error('not called') end})") == "{ 1 }")
    }

    @Test func otherTypesAsToStringGivesThem() throws {
        let text = try show("return print, io.stdout, coroutine.create(print)")
        let parts = text.split(separator: "\t")
        #expect(parts.count == 3)
        #expect(parts[0].hasPrefix("builtin: ") || parts[0].hasPrefix("function: "))
        #expect(parts[1].hasPrefix("file (0x"))
        #expect(parts[2].hasPrefix("thread: "))
    }

    @Test func userCannotBreakItByReplacingGlobals() throws {
        let text = try show("return {1, 'x'}", setup: "string = nil table = nil tostring = nil type = nil next = nil")
        #expect(text == #"{ 1, "x" }"#)
    }
}
