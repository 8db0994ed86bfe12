// Tables, functions, userdata and threads come back to Swift as
// references: pushing one gives back the very same Lua object, it stays
// alive while Swift holds it, and is released when Swift lets it go.
// Light userdata is a plain pointer value.

import CLua
import LuaPool
import Testing

@Suite("LuaState: references and light userdata")
struct LuaStateReferenceTests {
    /// Pulls the global `name`, pushes the pulled value back into the
    /// global `back`, and reports whether Lua sees the same object.
    private func roundTrip(_ lua: LuaState, _ name: String) throws -> (LuaValue, Bool) {
        lua.getGlobal(name)
        let value = lua.value(at: -1)
        lua.pop()
        lua.push(value)
        lua.setGlobal("back")
        return (value, try lua.check("rawequal(back, \(name))"))
    }

    @Test func table() throws {
        let lua = try makeLua()
        try lua.run("t = {1, 2, key = 'value'}")
        let (value, same) = try roundTrip(lua, "t")
        guard case .table = value else { Issue.record("not a table: \(value)"); return }
        #expect(same)
        #expect(try lua.check("back.key == 'value' and #back == 2"))
        try lua.run("back.added = true")
        #expect(try lua.check("t.added == true"), "a change through one is seen through the other")
        #expect(lua.top == 0)
    }

    @Test func function() throws {
        let lua = try makeLua()
        try lua.run("function f(x) return x * 2 end")
        let (value, same) = try roundTrip(lua, "f")
        guard case .function = value else { Issue.record("not a function: \(value)"); return }
        #expect(same)
        lua.push(value)
        lua.push(21)
        try lua.call(arguments: 1, results: 1)
        #expect(lua.value(at: -1).integerValue == 42)
        lua.pop()
        #expect(lua.top == 0)
    }

    @Test func cFunction() throws {
        let lua = try makeLua()
        let (value, same) = try roundTrip(lua, "print")
        guard case .function = value else { Issue.record("not a function: \(value)"); return }
        #expect(same)
    }

    @Test func userdata() throws {
        let lua = try makeLua()
        try lua.run("u = io.stdout")
        let (value, same) = try roundTrip(lua, "u")
        guard case .userdata = value else { Issue.record("not userdata: \(value)"); return }
        #expect(same)
        #expect(try lua.check("io.type(back) == 'file'"))
    }

    @Test func newUserdataKeepsItsMemory() throws {
        let lua = try makeLua()
        let memory = try #require(lua_newuserdatauv(lua.L, 8, 1))
        memory.storeBytes(of: 0x1234_5678, as: Int64.self)
        let value = lua.value(at: -1)
        lua.pop()
        lua.push(value)
        #expect(lua.type(at: -1) == .userdata)
        #expect(lua_touserdata(lua.L, -1) == memory)
        #expect(lua_touserdata(lua.L, -1)?.load(as: Int64.self) == 0x1234_5678)
        lua.pop()
    }

    @Test func thread() throws {
        let lua = try makeLua()
        try lua.run("co = coroutine.create(function(a) coroutine.yield(a + 1) end)")
        let (value, same) = try roundTrip(lua, "co")
        guard case .thread = value else { Issue.record("not a thread: \(value)"); return }
        #expect(same)
        #expect(try lua.check("select(2, coroutine.resume(back, 1)) == 2"))
        #expect(try lua.check("coroutine.status(co) == 'suspended'"))
    }

    @Test func mainThread() throws {
        let lua = try makeLua()
        lua_pushthread(lua.L)
        let value = lua.value(at: -1)
        lua.pop()
        guard case .thread = value else { Issue.record("not a thread: \(value)"); return }
        lua.push(value)
        lua.setGlobal("back")
        #expect(try lua.check("rawequal(back, coroutine.running())"))
    }

    @Test func sameObjectTwiceIsEqualDifferentObjectsAreNot() throws {
        let lua = try makeLua()
        try lua.run("a = {} b = {}")
        let a1 = try lua.evaluate("a"), a2 = try lua.evaluate("a"), b = try lua.evaluate("b")
        #expect(a1 == a2)
        #expect(a1 != b)
        #expect(try #require(a1.reference).isSameObject(as: #require(a2.reference)))
        #expect(!(try #require(a1.reference).isSameObject(as: #require(b.reference))))
        #expect(try lua.evaluate("print") != a1, "a function is never a table")
        #expect(lua.top == 0)
    }

    @Test func referenceKeepsTheObjectAlive() throws {
        let lua = try makeLua()
        var value: LuaValue? = try lua.evaluate("setmetatable({'kept'}, {__gc = function() gone = true end})")
        try lua.run("collectgarbage() collectgarbage()")
        #expect(try lua.evaluate("gone") == .nil, "collected while Swift still held it")
        lua.push(try #require(value))
        lua.setGlobal("back")
        #expect(try lua.check("back[1] == 'kept'"))
        lua.pushNil()
        lua.setGlobal("back")
        value = nil
        try lua.run("collectgarbage() collectgarbage()")
        #expect(try lua.evaluate("gone") == .boolean(true), "not released once Swift let it go")
    }

    @Test func pushingIntoACoroutineOfTheSameState() throws {
        let lua = try makeLua()
        let table = try lua.evaluate("{answer = 42}")
        let thread = try #require(lua_newthread(lua.L))
        let co = LuaState(borrowing: thread)
        co.push(table)
        #expect(co.type(at: -1) == .table)
        #expect(co.getField("answer", of: -1) == .number)
        #expect(co.value(at: -1).integerValue == 42)
        co.pop(2)
        lua.pop()
    }

    @Test func lightUserdata() throws {
        let lua = try makeLua()
        let pointer = UnsafeMutableRawPointer(bitPattern: 0xdead_beef)
        lua.push(lightUserdata: pointer)
        #expect(lua.type(at: -1) == .lightUserdata)
        #expect(lua.toLightUserdata(at: -1) == pointer)
        guard case .lightUserdata(let p) = lua.value(at: -1) else {
            Issue.record("not light userdata: \(lua.value(at: -1))")
            return
        }
        #expect(p == pointer)
        lua.setGlobal("p")
        #expect(try lua.check("type(p) == 'userdata'"))
        #expect(try lua.evaluate("p") == .lightUserdata(pointer))
        lua.push(LuaValue.lightUserdata(pointer))
        lua.setGlobal("q")
        #expect(try lua.check("rawequal(p, q)"), "light userdata with one address are equal")
        #expect(lua.top == 0)
    }

    @Test func nullLightUserdata() throws {
        let lua = try makeLua()
        lua.push(lightUserdata: nil)
        #expect(lua.type(at: -1) == .lightUserdata)
        #expect(lua.value(at: -1) == .lightUserdata(nil))
        lua.pop()
    }
}
