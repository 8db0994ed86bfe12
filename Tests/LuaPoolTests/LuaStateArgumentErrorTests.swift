// Errors a Swift function raises about its arguments read as lauxlib.c's:
// `bad argument #2 to 'f' (table expected, got nil)`, with the argument
// number shifted for method calls and `calling 'm' on bad self`.

import CLua
import LuaPool
import Testing

@Suite("LuaState: argument errors")
struct LuaStateArgumentErrorTests {
    /// An interpreter with `f` (wants a table as argument 2), `message`
    /// (returns argumentErrorMessage(2, ...) without raising) and an
    /// object `obj` whose method `m` wants a table as self and argument 1.
    private func makeInterpreter() throws -> LuaState {
        let lua = try makeLua()
        lua.pushFunction(wantsTableSecond)
        lua.setGlobal("f")
        lua.pushFunction(returnsMessage)
        lua.setGlobal("message")
        lua.pushFunction(wantsTableSelfAndFirst)
        lua.setGlobal("m")
        try lua.run("obj = {m = m}")
        return lua
    }

    private func message(_ lua: LuaState, _ code: String) throws -> String? {
        lua.error(running: code)?.message
    }

    @Test(arguments: [
        ("f(1, nil)", "test:1: bad argument #2 to 'f' (table expected, got nil)"),
        ("f(1)", "test:1: bad argument #2 to 'f' (table expected, got no value)"),
        ("f(1, 'x')", "test:1: bad argument #2 to 'f' (table expected, got string)"),
        ("f(1, io.stdout)", "test:1: bad argument #2 to 'f' (table expected, got FILE*)"),
        ("f(1, coroutine.create(f))",
         "test:1: bad argument #2 to 'f' (table expected, got thread)"),
        ("local g = f\ng(1, 2)", "test:2: bad argument #2 to 'g' (table expected, got number)"),
        ("obj.m({}, 5)", "test:1: bad argument #2 to 'm' (table expected, got number)"),
        ("string.check = f\nstring.check(1, 2)", "test:2: bad argument #2 to 'check' (table expected, got number)"),
    ])
    func functionCalls(_ code: String, _ expected: String) throws {
        let lua = try makeInterpreter()
        #expect(try message(lua, code) == expected)
        #expect(lua.top == 0)
    }

    @Test func lightUserdataIsNamedSo() throws {
        let lua = try makeInterpreter()
        lua.push(lightUserdata: UnsafeMutableRawPointer(bitPattern: 8))
        lua.setGlobal("p")
        #expect(try message(lua, "f(1, p)") == "test:1: bad argument #2 to 'f' (table expected, got light userdata)")
    }

    @Test func userdataNameComesFromMetatableName() throws {
        let lua = try makeInterpreter()
        try lua.run("debug.setmetatable(io.stdout, nil)")
        #expect(try message(lua, "f(1, io.stdout)") == "test:1: bad argument #2 to 'f' (table expected, got userdata)")
    }

    @Test(arguments: [
        ("obj:m(5)", "test:1: bad argument #1 to 'm' (table expected, got number)"),
        ("obj:m()", "test:1: bad argument #1 to 'm' (table expected, got no value)"),
        ("debug.setmetatable(0, {__index = {m = m}})\nlocal n = 5\nn:m({})",
         "test:3: calling 'm' on bad self (table expected, got number)"),
    ])
    func methodCalls(_ code: String, _ expected: String) throws {
        let lua = try makeInterpreter()
        #expect(try message(lua, code) == expected)
    }

    @Test(arguments: [
        // Called from C (pcall) the function has no name from the call, so
        // it is looked up in package.loaded, as luaL_argerror does, and
        // there is no position.
        ("result = select(2, pcall(f, 1, nil))", "bad argument #2 to 'f' (table expected, got nil)"),
        ("local only = {fn = f}; f = nil; result = select(2, pcall(only.fn, 1))",
         "bad argument #2 to '?' (table expected, got no value)"),
        ("mod = {check = f}; package.loaded.mod = mod; f = nil; result = select(2, pcall(mod.check, 1))",
         "bad argument #2 to 'mod.check' (table expected, got no value)"),
    ])
    func callsFromC(_ code: String, _ expected: String) throws {
        let lua = try makeInterpreter()
        try lua.run(code)
        #expect(try lua.evaluate("result").stringValue == expected)
    }

    @Test func messageWithoutRaising() throws {
        let lua = try makeInterpreter()
        #expect(try lua.evaluate("message()").stringValue == "bad argument #2 to 'message' (detail)")
        #expect(try lua.evaluate("obj.message == nil and (function() obj.msg = message return obj:msg() end)()")
                    .stringValue == "bad argument #1 to 'msg' (detail)")
        #expect(lua.top == 0)
    }

    @Test func globalNameOfFunctions() throws {
        let lua = try makeLua()
        lua.getGlobal("string")
        lua.getField("format", of: -1)
        #expect(lua.globalName(ofFunctionAt: -1) == "string.format")
        lua.pop(2)
        lua.getGlobal("print")
        #expect(lua.globalName(ofFunctionAt: -1) == "print", "_G. is dropped")
        lua.pop()
        try lua.run("return function() end", results: 1)
        #expect(lua.globalName(ofFunctionAt: -1) == nil)
        lua.pop()
        #expect(lua.top == 0)
    }

    @Test func typeNameForErrors() throws {
        let lua = try makeLua()
        try lua.run("return nil, 1, io.stdout, setmetatable({}, {__name = 'Named'}), setmetatable({}, {__name = 5})",
                    results: 5)
        #expect(lua.typeNameForError(at: 1) == "nil")
        #expect(lua.typeNameForError(at: 2) == "number")
        #expect(lua.typeNameForError(at: 3) == "FILE*")
        #expect(lua.typeNameForError(at: 4) == "Named")
        #expect(lua.typeNameForError(at: 5) == "table", "a __name that is not a string is ignored")
        #expect(lua.typeNameForError(at: 6) == "no value")
        #expect(lua.top == 5)
    }

    @Test func positionOfTheCaller() throws {
        let lua = try makeLua()
        lua.pushFunction(returnsCallerPosition)
        lua.setGlobal("where")
        #expect(try lua.evaluate("(function()\n\nreturn where() end)()").stringValue == "test:3: ")
        #expect(try lua.evaluate("select(2, pcall(where))").stringValue == "", "from C there is no position")
    }
}

private let wantsTableSecond: LuaSwiftFunction = { L in
    let lua = LuaState(borrowing: L!)
    guard lua.type(at: 2) == .table else { return lua.typeError(2, expected: "table") }
    return 0
}

private let wantsTableSelfAndFirst: LuaSwiftFunction = { L in
    let lua = LuaState(borrowing: L!)
    guard lua.type(at: 1) == .table else { return lua.typeError(1, expected: "table") }
    guard lua.type(at: 2) == .table else { return lua.typeError(2, expected: "table") }
    return 0
}

private let returnsMessage: LuaSwiftFunction = { L in
    let lua = LuaState(borrowing: L!)
    let top = lua.top
    let message = lua.argumentErrorMessage(2, "detail")
    guard lua.top == top else { return lua.raise("argumentErrorMessage changed the stack") }
    lua.push(message)
    return 1
}

private let returnsCallerPosition: LuaSwiftFunction = { L in
    let lua = LuaState(borrowing: L!)
    lua.push(lua.position(level: 1))
    return 1
}
