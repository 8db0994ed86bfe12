// Protected calls: results, and errors as LuaError with the kind, the
// error object itself, its message as lua.c would print it, and the
// traceback.

import CLua
import Foundation
import LuaPool
import Testing

@Suite("LuaState: calls and errors")
struct LuaStateCallTests {
    @Test func callWithArgumentsAndResults() throws {
        let lua = try makeLua()
        try lua.run("function add(a, b) return a + b, a * b, 'extra' end")
        lua.getGlobal("add")
        lua.push(6)
        lua.push(7)
        try lua.call(arguments: 2, results: 2)
        #expect(lua.top == 2)
        #expect(lua.value(at: 1).integerValue == 13)
        #expect(lua.value(at: 2).integerValue == 42)
        lua.pop(2)
    }

    @Test func multipleResultsKeepsThemAll() throws {
        let lua = try makeLua()
        lua.push("below")
        try lua.run("return 1, nil, 3, nil", results: LuaState.multipleResults)
        #expect(lua.top == 5)
        #expect(lua.value(at: 1).stringValue == "below")
        #expect(lua.value(at: 4).integerValue == 3)
        #expect(lua.type(at: 5) == .nil)
    }

    @Test func runtimeErrorString() throws {
        let lua = try makeLua()
        lua.push("below")
        let error = try #require(lua.error(running: "local x = 1\nerror('boom')"))
        #expect(error.kind == .runtime)
        #expect(error.message == "test:2: boom")
        #expect(error.value == .string(Array("test:2: boom".utf8)))
        let traceback = try #require(error.traceback)
        #expect(traceback.hasPrefix("stack traceback:"))
        #expect(traceback.contains("[C]: in function 'error'"))
        #expect(traceback.contains("test:2: in main chunk"))
        #expect(error.description == "test:2: boom\n" + traceback)
        #expect(!error.messageIsFromToString)
        #expect(lua.top == 1, "the error leaves only what was below the function")
    }

    @Test func errorRaisedByLuaItself() throws {
        let lua = try makeLua()
        let error = try #require(lua.error(running: "local t = nil\nreturn t.x"))
        #expect(error.kind == .runtime)
        #expect(error.message == "test:2: attempt to index a nil value (local 't')")
        #expect(error.traceback?.contains("stack traceback:") == true)
    }

    @Test func tracebackNamesTheFunctions() throws {
        let lua = try makeLua()
        try lua.run("function outer() inner() end\nfunction inner() error('deep') end")
        let error = try #require(lua.error(running: "outer()"))
        let traceback = try #require(error.traceback)
        #expect(traceback.contains("in function 'inner'"))
        #expect(traceback.contains("in function 'outer'"))
    }

    @Test func tableErrorComesBackAsTheSameTable() throws {
        let lua = try makeLua()
        try lua.run("E = {code = 7}")
        let error = try #require(lua.error(running: "error(E)"))
        #expect(error.kind == .runtime)
        guard case .table(let table) = error.value else {
            Issue.record("error value is not a table: \(error.value)")
            return
        }
        #expect(error.value == (try lua.evaluate("E")))
        table.push(onto: lua)
        lua.setGlobal("back")
        #expect(try lua.check("rawequal(back, E) and back.code == 7"))
        #expect(error.message == "(error object is a table value)")
        #expect(error.traceback?.hasPrefix("stack traceback:") == true)
        #expect(!error.messageIsFromToString)
    }

    @Test func toStringMessage() throws {
        let lua = try makeLua()
        let error = try #require(lua.error(running: """
            error(setmetatable({code = 7}, {__tostring = function(e) return 'E' .. e.code end}))
            """))
        #expect(error.message == "E7")
        #expect(error.messageIsFromToString)
        #expect(error.description == "E7", "no traceback after a __tostring message, as lua.c")
        guard case .table = error.value else { Issue.record("not a table: \(error.value)"); return }
    }

    @Test func toStringNotReturningAString() throws {
        let lua = try makeLua()
        let error = try #require(lua.error(running: "error(setmetatable({}, {__tostring = function() return 42 end}))"))
        #expect(error.message == "(error object is a table value)")
        #expect(!error.messageIsFromToString)
    }

    @Test(arguments: [
        ("error(42)", "42"),
        ("error(4.5)", "4.5"),
        ("error()", "(error object is a nil value)"),
        ("error(nil)", "(error object is a nil value)"),
        ("error(true)", "(error object is a boolean value)"),
        ("error(print)", "(error object is a function value)"),
        ("error(coroutine.create(print))", "(error object is a thread value)"),
        ("error(io.stdout)", "file (0x*)"),
        ("error('no position', 0)", "no position"),
        ("error(setmetatable({}, {__name = 'MyType'}))", "(error object is a table value)"),
    ])
    func messages(_ code: String, _ message: String) throws {
        let lua = try makeLua()
        let error = try #require(lua.error(running: code))
        #expect(error.kind == .runtime)
        #expect(LinePattern.lineMatches(error.message, message), "\(error.message)")
        #expect(error.traceback?.hasPrefix("stack traceback:") == true)
    }

    @Test func errorValuesKeepTheirType() throws {
        let lua = try makeLua()
        #expect(lua.error(running: "error(42)")?.value.integerValue == 42)
        #expect(lua.error(running: "error(4.5)")?.value.floatValue == 4.5)
        #expect(lua.error(running: "error()")?.value == .nil)
        #expect(lua.error(running: "error(false)")?.value == .boolean(false))
    }

    @Test func tracebackOfOneErrorDoesNotLeakIntoTheNext() throws {
        let lua = try makeLua()
        #expect(lua.error(running: "error('first')")?.traceback != nil)
        let syntax = try #require(throws: LuaError.self) { try lua.load("x = = 1", name: "=again") }
        #expect(syntax.traceback == nil, "a syntax error reported the previous runtime error's traceback")
        let second = try #require(lua.error(running: "\n\nerror('second')"))
        #expect(second.traceback?.contains("test:3:") == true)
        #expect(second.traceback?.contains("test:1:") == false)
    }

    @Test func memoryErrorKind() throws {
        let L = try #require(lua_newstate(refusesLargeBlocks, nil))
        defer { lua_close(L) }
        let lua = LuaState(borrowing: L)
        lua.openLibraries()
        lua.push("below")
        let error = try #require(lua.error(running: "local s = string.rep('x', 4 * 1024 * 1024)"))
        #expect(error.kind == .memory)
        #expect(error.message == "not enough memory")
        #expect(lua.top == 1)
        #expect(try lua.evaluate("1 + 1").integerValue == 2, "the interpreter is still usable")
    }

    @Test func errorsFromSwiftFunctions() throws {
        let lua = try makeLua()
        lua.pushFunction(raisesMessage)
        lua.setGlobal("raises")
        lua.pushFunction(raisesItsArgument)
        lua.setGlobal("rethrow")
        let error = try #require(lua.error(running: "local a = 1\nraises()"))
        #expect(error.message == "test:2: raised from Swift")
        #expect(error.traceback?.contains("in function 'raises'") == true)
        try lua.run("T = {}")
        let table = try #require(lua.error(running: "rethrow(T)"))
        #expect(table.value == (try lua.evaluate("T")))
        #expect(try lua.evaluate("select(2, pcall(raises))").stringValue == "raised from Swift",
                "called from C (pcall) there is no position")
        #expect(try lua.evaluate("select(2, pcall(rethrow, 'plain'))").stringValue == "plain")
        #expect(lua.top == 0)
    }

    @Test func swiftFunctionUpvalues() throws {
        let lua = try makeLua()
        lua.push("first")
        lua.push(2)
        lua.pushFunction(returnsUpvalues, upvalues: 2)
        #expect(lua.top == 1, "the upvalues are popped")
        lua.setGlobal("up")
        #expect(try lua.check("select('#', up()) == 2 and select(1, up()) == 'first' and select(2, up()) == 2"))
        #expect(lua.top == 0)
    }
}

/// A Lua allocator that refuses any block over 1 MB.
private let refusesLargeBlocks: lua_Alloc = { _, block, _, size in
    if size == 0 {
        free(block)
        return nil
    }
    return size > 1 << 20 ? nil : realloc(block, size)
}

private let raisesMessage: LuaSwiftFunction = { L in
    LuaState(borrowing: L!).raise("raised from Swift")
}

private let raisesItsArgument: LuaSwiftFunction = { L in
    LuaState(borrowing: L!).raiseValue(at: 1)
}

private let returnsUpvalues: LuaSwiftFunction = { L in
    let lua = LuaState(borrowing: L!)
    lua.pushValue(at: LuaState.upvalueIndex(1))
    lua.pushValue(at: LuaState.upvalueIndex(2))
    return 2
}
