// Every wrapper operation leaves the stack as its documentation says:
// reads leave it unchanged, pushes add one value, calls replace the
// function and its arguments by the results, errors leave nothing behind.

import CLua
import LuaPool
import Testing

@Suite("LuaState: the stack stays balanced")
struct LuaStateStackTests {
    /// Runs `body` on a stack holding `marker` plus `setup`'s values and
    /// checks that it changed the height by `delta` and kept the marker.
    private func expectBalanced(_ name: String, delta: Int32 = 0, setup: String = "",
                                sourceLocation: SourceLocation = #_sourceLocation,
                                _ body: (LuaState) throws -> Void) throws {
        let lua = try makeLua()
        lua.push("marker")
        if !setup.isEmpty { try lua.run("return " + setup, results: LuaState.multipleResults) }
        let before = lua.top
        try body(lua)
        #expect(lua.top == before + delta, "\(name): top \(lua.top), expected \(before + delta)",
                sourceLocation: sourceLocation)
        #expect(lua.toString(at: 1) == "marker", "\(name) disturbed the values below",
                sourceLocation: sourceLocation)
    }

    @Test func reads() throws {
        let all = "nil, true, 1, 2.5, 's', {}, print, io.stdout, coroutine.create(print)"
        try expectBalanced("value(at:)", setup: all) { lua in
            for i in 2...lua.top { _ = lua.value(at: i) }
        }
        try expectBalanced("toString / toBytes / toInteger / toNumber", setup: all) { lua in
            for i in 2...lua.top {
                _ = lua.toString(at: i); _ = lua.toBytes(at: i)
                _ = lua.toInteger(at: i); _ = lua.toNumber(at: i); _ = lua.toBool(at: i)
            }
        }
        try expectBalanced("typeNameForError", setup: all + ", setmetatable({}, {__name = 'N'})") { lua in
            for i in 2...lua.top { _ = lua.typeNameForError(at: i) }
        }
        try expectBalanced("globalName", setup: "print, string.format, function() end") { lua in
            for i in 2...lua.top { _ = lua.globalName(ofFunctionAt: i) }
        }
        try expectBalanced("rawLength / rawEqual / type", setup: "{1, 2}, 'abc'") { lua in
            _ = lua.rawLength(at: -1); _ = lua.rawLength(at: -2)
            _ = lua.rawEqual(-1, -2); _ = lua.type(at: -1); _ = lua.typeName(at: -2)
        }
    }

    @Test func pushes() throws {
        let values: [LuaValue] = [.nil, true, 7, 1.5, "text", .lightUserdata(nil)]
        for value in values {
            try expectBalanced("push(\(value))", delta: 1) { $0.push(value) }
        }
        try expectBalanced("push(bytes:)", delta: 1) { $0.push(bytes: [0, 1, 2]) }
        try expectBalanced("push(String)", delta: 1) { $0.push("") }
        try expectBalanced("pushGlobals", delta: 1) { $0.pushGlobals() }
        try expectBalanced("newTable", delta: 1) { $0.newTable(array: 4, hash: 4) }
        try expectBalanced("pushFunction", delta: 1) { $0.pushFunction(doesNothing) }
        try expectBalanced("pushValue", delta: 1) { $0.pushValue(at: 1) }
    }

    @Test func references() throws {
        try expectBalanced("pull and push a table reference", delta: 1, setup: "{}") { lua in
            let value = lua.value(at: -1)
            lua.push(value)
            #expect(lua.rawEqual(-1, -2))
            if case .table(let r) = value { _ = r.isSameObject(as: r) }
        }
        try expectBalanced("LuaValue ==", setup: "{}, {}") { lua in
            #expect(lua.value(at: -1) != lua.value(at: -2))
        }
    }

    @Test func tables() throws {
        try expectBalanced("getField", delta: 1, setup: "{a = 1}") { lua in
            lua.getField("a", of: -1)
        }
        try expectBalanced("setField", setup: "{}") { lua in
            lua.push(1)
            lua.setField("a", of: -2)
        }
        try expectBalanced("getGlobal / setGlobal") { lua in
            lua.push(5)
            lua.setGlobal("g")
            lua.getGlobal("g")
            lua.pop()
        }
        try expectBalanced("rawGet / rawSet", setup: "{}") { lua in
            lua.push("v")
            lua.rawSet(1, of: -2)
            lua.rawGet(1, of: -1)
            lua.pop()
            lua.push("k"); lua.push("v")
            lua.rawSet(of: -3)
        }
        try expectBalanced("getMetafield, missing", setup: "{}") { lua in
            _ = lua.getMetafield("__index", of: -1)
        }
        try expectBalanced("getMetafield, present", delta: 1, setup: "setmetatable({}, {__index = {}})") { lua in
            _ = lua.getMetafield("__index", of: -1)
        }
        try expectBalanced("getMetatable / setMetatable", setup: "{}") { lua in
            #expect(!lua.getMetatable(at: -1))
            lua.newTable()
            lua.setMetatable(at: -2)
            #expect(lua.getMetatable(at: -1))
            lua.pop()
        }
        try expectBalanced("next over a table", setup: "{1, 2, x = 3}") { lua in
            lua.pushNil()
            var count = 0
            while lua.next(of: -2) { count += 1; lua.pop() }
            #expect(count == 3)
        }
        try expectBalanced("registry") { lua in
            lua.push(1)
            lua.setRegistry("luapool.test")
            lua.getRegistry("luapool.test")
            lua.pop()
        }
    }

    @Test func calls() throws {
        try expectBalanced("call, 2 results", delta: 2) { lua in
            try lua.load("return 1, 2, 3", name: "=t")
            try lua.call(arguments: 0, results: 2)
        }
        try expectBalanced("call with arguments, no results") { lua in
            try lua.load("local a, b = ...", name: "=t")
            lua.push(1); lua.push(2)
            try lua.call(arguments: 2, results: 0)
        }
        try expectBalanced("call, all results", delta: 3) { lua in
            try lua.load("return 1, 2, 3", name: "=t")
            try lua.call(arguments: 0, results: LuaState.multipleResults)
        }
        try expectBalanced("failed call") { lua in
            try lua.load("error({})", name: "=t")
            lua.push(1)
            #expect(throws: LuaError.self) { try lua.call(arguments: 1, results: 3) }
        }
        try expectBalanced("failed call with __tostring") { lua in
            try lua.load("error(setmetatable({}, {__tostring = function() return 'x' end}))", name: "=t")
            #expect(throws: LuaError.self) { try lua.call() }
        }
        try expectBalanced("failed call whose __tostring fails") { lua in
            try lua.load("error(setmetatable({}, {__tostring = function() error('y') end}))", name: "=t")
            #expect(throws: LuaError.self) { try lua.call() }
        }
        try expectBalanced("load", delta: 1) { lua in
            try lua.load("return 1", name: "=t")
        }
        try expectBalanced("failed load") { lua in
            #expect(throws: LuaError.self) { try lua.load("x = = 1", name: "=t") }
        }
        try expectBalanced("failed loadFile") { lua in
            #expect(throws: LuaError.self) { try lua.loadFile("/nonexistent.lua") }
        }
    }

    @Test func insideASwiftFunction() throws {
        let lua = try makeLua()
        lua.pushFunction(checksItsOwnStack)
        lua.setGlobal("probe")
        #expect(try lua.evaluate("probe(1, {}, 'x')") == .boolean(true))
        try lua.run("obj = {probe = probe}")
        #expect(try lua.evaluate("obj:probe(nil)") == .boolean(true))
    }
}

private let doesNothing: LuaSwiftFunction = { _ in 0 }

/// Calls the wrapper's reading helpers on its own frame and returns
/// whether the stack height never changed.
private let checksItsOwnStack: LuaSwiftFunction = { L in
    let lua = LuaState(borrowing: L!)
    let top = lua.top
    _ = lua.argumentErrorMessage(2, "detail")
    _ = lua.argumentErrorMessage(1, "detail")
    _ = lua.position(level: 1)
    for i in 1...max(top, 1) { _ = lua.typeNameForError(at: i) }
    lua.push(lua.top == top)
    return 1
}
