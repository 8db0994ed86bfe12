import CLua
import LuaPool
import Testing

/// Functions through the codec: bytecode and upvalues, shared upvalues,
/// the global table, C functions and modules by name.
@Suite("Codec functions")
struct CodecFunctionTests {
    let lua: LuaState

    init() throws {
        lua = try makeCodecLua()
        try lua.run("function rt(...) return mp.loads(mp.dumps(...), {functions = true}) end")
    }

    @Test func upvaluesGoByValue() throws {
        #expect(try lua.holds("""
            local up, t = 10, {n = 1}
            local function f(a) return a + up + t.n end
            local g = rt(f)
            up, t.n = 100, 100
            return g(1) == 12 and f(1) == 201
            """))
    }

    @Test func sharedUpvaluesStayShared() throws {
        #expect(try lua.holds("""
            local function counter()
              local n = 0
              return function() n = n + 1 return n end, function() return n end
            end
            local inc, get = counter()
            inc()
            local fs = rt{inc, get}
            fs[1]() fs[1]()
            return fs[2]() == 3 and get() == 1
            """))
    }

    @Test("upvalues shared between separate values of one message") func sharedAcrossValues() throws {
        try lua.run("""
            local n = 5
            return function() n = n + 1 end, function() return n end
            """, results: 2)
        let bytes = try Codec.encode(lua, topValues: 2)
        lua.pop(2)
        #expect(try Codec.decode(lua, bytes) == 2)
        lua.setGlobal("get")
        lua.setGlobal("bump")
        #expect(try lua.holds("return bump() == nil and get() == 6"))
    }

    @Test func recursiveLocalFunction() throws {
        #expect(try lua.holds("""
            local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
            return rt(fact)(10) == 3628800
            """))
    }

    @Test("a function sent with the table that holds it") func functionInsideItsOwnUpvalue() throws {
        #expect(try lua.holds("""
            local obj = {count = 0}
            function obj.bump() obj.count = obj.count + 1 return obj.count end
            local copy = rt(obj)
            copy.bump() copy.bump()
            return copy.count == 2 and obj.count == 0
            """))
    }

    @Test("debug information survives: tracebacks keep their lines") func lineNumbers() throws {
        try lua.run("""
            function fails()
              local x = 1
              error('boom')
            end
            copy = rt(fails)
            """)
        let error = lua.error(running: "copy()")
        #expect(error?.message == "test:3: boom")
        #expect(try lua.holds("return debug.getinfo(copy, 'S').linedefined == 1"))
    }

    @Test("_ENV becomes the receiver's global table") func globalsOfTheReceiver() throws {
        try lua.run("marker = 'sender' function whoami() return marker end")
        lua.getGlobal("whoami")
        let bytes = try Codec.encode(lua, topValues: 1)
        let receiver = try makeCodecLua()
        try receiver.run("marker = 'receiver'")
        #expect(try Codec.decode(receiver, bytes) == 1)
        receiver.setGlobal("whoami")
        #expect(try receiver.evaluate("whoami()").stringValue == "receiver")
        #expect(try lua.holds("return rt(_G) == _G and rt({g = _G}).g == _G"))
    }

    @Test("C functions go by name", arguments: [
        "math.sqrt", "string.format", "print", "require", "mp.dumps",
        "require('cjson').encode", "require('lpeg').match",
    ])
    func cFunctionsByName(_ expression: String) throws {
        #expect(try lua.holds("local f = \(expression) return rt(f) == f and rt{f, f}[2] == f"))
    }

    @Test func modulesGoByName() throws {
        #expect(try lua.holds("return rt(string) == string and rt{m = math}.m == math"))
        #expect(try lua.holds("""
            local json = require 'cjson'
            local f = rt(function(t) return json.encode(t) end)
            return f({1, 2}) == '[1,2]'
            """))
    }

    @Test("a module added to, dropped from or replaced in package.loaded between messages is seen")
    func modulesFollowPackageLoaded() throws {
        #expect(try lua.holds("""
            local function has(bytes, name) return bytes:find(name, 1, true) ~= nil end
            local n, other = {}, {}
            local before = mp.dumps(function() return n end)
            package.loaded.beta_mod = n
            local added = mp.dumps(function() return n end)
            package.loaded.beta_mod = nil
            local dropped = mp.dumps(n)
            package.loaded.beta_mod = other
            local replaced = mp.dumps(n)
            local new = mp.dumps(other)
            package.loaded.beta_mod = nil
            return not has(before, "beta_mod") and has(added, "beta_mod") and not has(dropped, "beta_mod")
              and not has(replaced, "beta_mod") and has(new, "beta_mod")
            """))
    }

    @Test("a function sent again is the same bytes, from its kept bytecode, which goes with the function")
    func keptBytecode() throws {
        #expect(try lua.holds("""
            local function make(k) return function(x) return x + k end end
            local f, g = make(1), make(2)
            local first, again = mp.dumps(f), mp.dumps(f)
            local other = mp.dumps(g)
            local ok = first == again and first ~= other
              and mp.loads(again, {functions = true})(1) == 2 and mp.loads(other, {functions = true})(1) == 3
            local kept = debug.getregistry()["luapool.bytecode"]
            local function count() local n = 0 for _ in pairs(kept) do n = n + 1 end return n end
            local before = count()
            f, g = nil, nil
            collectgarbage() collectgarbage()
            return ok and before >= 2 and count() <= before - 2
            """))
    }

    @Test("a receiver without the module requires it") func missingModuleRequired() throws {
        try lua.run("json = require 'cjson'")
        let bare = try makeCodecLua()
        lua.getGlobal("json")
        let module = try Codec.encode(lua, topValues: 1)
        #expect(try Codec.decode(bare, module) == 1)
        #expect(bare.type(at: -1) == .table)
        bare.pop()
        try lua.run("f = json.decode")
        lua.getGlobal("f")
        let function = try Codec.encode(lua, topValues: 1)
        #expect(try Codec.decode(bare, function) == 1)
        #expect(bare.isCFunction(at: -1))
        bare.pop()
        #expect(bare.top == 0)
    }

    @Test("a name the receiver cannot require") func missingModuleOrFunction() throws {
        // A module registered by hand, holding a C function found nowhere
        // else (cjson.new() makes new ones).
        try lua.run("package.loaded.handmade = {encode = require('cjson').new().encode}")
        let bare = try makeCodecLua()
        try lua.run("m = package.loaded.handmade")
        lua.getGlobal("m")
        let module = try Codec.encode(lua, topValues: 1)
        do {
            _ = try Codec.decode(bare, module)
            Issue.record("decoded a missing module")
        } catch {
            #expect(error.message == "cannot find module 'handmade' (module 'handmade' not found)")
            #expect(error.code == .notFound)
        }
        try lua.run("f = package.loaded.handmade.encode")
        lua.getGlobal("f")
        let function = try Codec.encode(lua, topValues: 1)
        do {
            _ = try Codec.decode(bare, function)
            Issue.record("decoded a missing C function")
        } catch {
            #expect(error.message == "cannot find C function 'handmade.encode' (module 'handmade' not found)")
        }
        #expect(bare.top == 0)
    }

    @Test func functionsCanBeRefused() throws {
        try lua.run("f = function() return 1 end")
        lua.getGlobal("f")
        let bytes = try Codec.encode(lua, topValues: 1)
        do {
            _ = try Codec.decode(lua, bytes, allowFunctions: false)
            Issue.record("decoded a function with functions disallowed")
        } catch {
            #expect(error.message == "cannot load function: functions are refused (pass {functions = true} to load them from a trusted source)")
            #expect(error.code == .functionRefused)
        }
    }
}
