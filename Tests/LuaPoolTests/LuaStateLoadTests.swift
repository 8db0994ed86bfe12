// Loading chunks: from strings, bytes and files, text and binary modes,
// chunk names, and the LuaError a failed load gives (kind .syntax or
// .file, no traceback).

import CLua
import Foundation
import LuaPool
import Testing

@Suite("LuaState: loading chunks")
struct LuaStateLoadTests {
    @Test func syntaxErrorFromLoad() throws {
        let lua = try makeLua()
        lua.push("below")
        do {
            try lua.load("x = = 1", name: "=chunk")
            Issue.record("no syntax error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.message == "chunk:1: unexpected symbol near '='")
            #expect(error.traceback == nil)
            #expect(error.description == error.message)
        }
        #expect(lua.top == 1)
    }

    @Test(arguments: [
        ("(", "@file.lua", "file.lua:1: unexpected symbol near <eof>"),
        ("x(", "x(", "[string \"x(\"]:1: unexpected symbol near <eof>"),
        ("for", "=stdin", "stdin:1: <name> expected near <eof>"),
        ("\n\nx = 'open", "=three", "three:3: unfinished string near <eof>"),
    ])
    func chunkNames(_ code: String, _ name: String, _ message: String) throws {
        let lua = try makeLua()
        let error = try #require(throws: LuaError.self) { try lua.load(code, name: name) }
        #expect(error.kind == .syntax)
        #expect(error.message == message)
        #expect(lua.top == 0)
    }

    @Test func loadFromBytesAndModes() throws {
        let lua = try makeLua()
        let code = Array("return 1 + 2".utf8)
        try code.withUnsafeBytes { try lua.load($0, name: "=bytes") }
        try lua.call(arguments: 0, results: 1)
        #expect(lua.value(at: -1).integerValue == 3)
        lua.pop()
        try lua.load("", name: "=empty")
        try lua.call()
        #expect(lua.top == 0)

        let binary = try #require(try lua.evaluate("string.dump(function() return 5 end)").bytes)
        do {
            try binary.withUnsafeBytes { try lua.load($0, name: "=dump", mode: "t") }
            Issue.record("a binary chunk loaded in text mode")
        } catch let error as LuaError {
            #expect(error.kind == .syntax)
            #expect(error.message.contains("attempt to load a binary chunk (mode is 't')"))
        }
        try binary.withUnsafeBytes { try lua.load($0, name: "=dump", mode: "b") }
        try lua.call(arguments: 0, results: 1)
        #expect(lua.value(at: -1).integerValue == 5)
        lua.pop()
        #expect(throws: LuaError.self) { try lua.load("return 1", name: "=text", mode: "b") }
        #expect(lua.top == 0)
    }

    @Test func missingFileIsAFileError() throws {
        let lua = try makeLua()
        do {
            try lua.loadFile("/nonexistent/no.lua")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.kind == .file)
            #expect(error.message == "cannot open /nonexistent/no.lua: No such file or directory")
            #expect(error.traceback == nil)
        }
        #expect(lua.top == 0)
    }

    @Test func fileWithAHashLineLoads() throws {
        let lua = try makeLua()
        let path = "/tmp/luapool-test-\(getpid())-hash.lua"
        try "#!/usr/bin/env luapool\nreturn debug.getinfo(1, 'l').currentline".write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        try lua.loadFile(path)
        try lua.call(arguments: 0, results: 1)
        #expect(lua.value(at: -1).integerValue == 2)
        lua.pop()
    }
}
