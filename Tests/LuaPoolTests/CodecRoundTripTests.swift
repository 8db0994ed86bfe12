import CLua
import LuaPool
import Testing

/// Every kind of value the codec carries, there and back in one
/// interpreter (`rt(v)` is `mp.loads(mp.dumps(v), {functions = true})`).
@Suite("Codec round trips")
struct CodecRoundTripTests {
    let lua: LuaState

    init() throws {
        lua = try makeCodecLua()
        try lua.run("function rt(...) return mp.loads(mp.dumps(...), {functions = true}) end")
    }

    @Test("nil and booleans") func nilAndBooleans() throws {
        #expect(try lua.holds("return rt(nil) == nil and rt(true) == true and rt(false) == false"))
    }

    @Test("integers stay integers, across every encoding width", arguments: [
        "0", "1", "-1", "127", "-128", "128", "-129", "2147483647", "-2147483648",
        "2147483648", "-2147483649", "math.maxinteger", "math.mininteger",
    ])
    func integers(_ expression: String) throws {
        #expect(try lua.holds("return math.type(rt(\(expression))) == 'integer' and rt(\(expression)) == \(expression)"))
    }

    @Test("floats stay floats, bit for bit", arguments: [
        "0.0", "1.0", "-2.5", "1/3", "math.pi", "2^53", "1e308", "5e-324", "math.huge", "-math.huge",
    ])
    func floats(_ expression: String) throws {
        #expect(try lua.holds("return math.type(rt(\(expression))) == 'float' and rt(\(expression)) == \(expression)"))
    }

    @Test func negativeZeroAndNaN() throws {
        #expect(try lua.holds("return 1 / rt(-0.0) == -math.huge and 1 / rt(0.0) == math.huge"))
        #expect(try lua.holds("local n = rt(0/0) return n ~= n and math.type(n) == 'float'"))
        // The exact bits of a NaN, sign and payload included.
        #expect(try lua.holds("""
            local bits = string.pack('<i8', -0x7ff7000000000001)
            local nan = string.unpack('<d', bits)
            return string.pack('<d', rt(nan)) == bits
            """))
    }

    @Test("strings of any bytes", arguments: [
        "''", "'a'", "'\\0'", "'a\\0b\\0'", "'\\255\\254\\0\\128'", "string.rep('x', 255)",
        "string.rep('y', 256)", "string.rep('\\0\\1', 70000)",
    ])
    func strings(_ expression: String) throws {
        #expect(try lua.holds("local s = \(expression) return rt(s) == s and #rt(s) == #s"))
    }

    @Test func tablesKeepTheirContents() throws {
        #expect(try lua.holds("""
            local t = rt{1, 2.5, 'three', {4}, x = 'y', [true] = false, [-3] = 'neg', [1.5] = 'f',
                         [''] = 'empty', ['a b'] = {c = {d = 'deep'}}}
            return t[1] == 1 and math.type(t[1]) == 'integer' and t[2] == 2.5 and t[3] == 'three'
               and t[4][1] == 4 and t.x == 'y' and t[true] == false and t[-3] == 'neg'
               and t[1.5] == 'f' and t[''] == 'empty' and t['a b'].c.d == 'deep'
            """))
    }

    @Test("holes, and integer keys beyond the sequence") func holes() throws {
        #expect(try lua.holds("""
            local t = rt{1, nil, 3, nil, 5, [10] = 10, [0] = 0}
            return t[1] == 1 and t[2] == nil and t[3] == 3 and t[4] == nil and t[5] == 5
               and t[10] == 10 and t[0] == 0
            """))
        #expect(try lua.holds("""
            local t = {} for i = 1, 100 do t[i] = i end for i = 2, 99 do t[i] = nil end
            local u = rt(t) local n = 0 for k in pairs(u) do n = n + 1 end
            return n == 2 and u[1] == 1 and u[100] == 100
            """))
    }

    @Test func mixedTableWithManyKeys() throws {
        #expect(try lua.holds("""
            local t = {} for i = 1, 1000 do t[i] = i * 2 t['k' .. i] = i t[i + 0.5] = -i end
            local u = rt(t)
            for i = 1, 1000 do
              if u[i] ~= i * 2 or u['k' .. i] ~= i or u[i + 0.5] ~= -i then return false end
            end
            local n = 0 for _ in pairs(u) do n = n + 1 end
            return n == 3000
            """))
    }

    @Test func cyclesAndSharedReferences() throws {
        #expect(try lua.holds("""
            local t = {} t.self = t t.child = {parent = t}
            local u = rt(t)
            return u ~= t and u.self == u and u.child.parent == u
            """))
        #expect(try lua.holds("""
            local shared = {1} local t = {a = shared, b = shared, list = {shared, shared}}
            local u = rt(t)
            return u.a == u.b and u.list[1] == u.a and u.list[2] == u.a and u.a[1] == 1
            """))
    }

    /// The memory of a large message's identity map is kept for the next
    /// one: what the first saw must not be taken for the second's tables,
    /// which the collector may place at the same addresses.
    @Test func largeMessagesOneAfterAnother() throws {
        #expect(try lua.holds("""
            local function records(tag)
              local list = {}
              for i = 1, 20000 do list[i] = {id = i, tag = tag} end
              return list
            end
            for round = 1, 6 do
              local shared = {round}
              local list = records(round)
              list[20001], list[20002] = shared, shared
              local u = rt(list)
              if #u ~= 20002 or u[20001] ~= u[20002] or u[20001][1] ~= round then return false end
              local seen = {}
              for i = 1, 20000 do
                local r = u[i]
                if seen[r] or r.id ~= i or r.tag ~= round then return false end
                seen[r] = true
              end
              list, u, seen = nil, nil, nil
              collectgarbage()
            end
            return true
            """))
    }

    @Test func tablesAsKeys() throws {
        #expect(try lua.holds("""
            local k = {name = 'key'} local t = {[k] = 'value', also = k}
            local u = rt(t)
            return u[u.also] == 'value' and u.also.name == 'key'
            """))
    }

    @Test func metatablesBySharedValue() throws {
        #expect(try lua.holds("""
            local Point = {} Point.__index = Point
            function Point.norm2(p) return p.x * p.x + p.y * p.y end
            local ps = rt{setmetatable({x = 3, y = 4}, Point), setmetatable({x = 1, y = 0}, Point)}
            local mt = getmetatable(ps[1])
            return ps[1]:norm2() == 25 and ps[2]:norm2() == 1 and mt == getmetatable(ps[2])
               and mt ~= Point and mt.__index == mt
            """))
        #expect(try lua.holds("""
            local t = setmetatable({}, {__metatable = 'locked', tag = 'mt'})
            return getmetatable(rt(t)) == 'locked'
            """))
    }

    @Test("the depth limit: 1000 levels go, 1001 do not") func depthLimit() throws {
        #expect(Codec.maxDepth == 1000)
        try lua.run("""
            function nest(n) local t = {} local c = t for i = 2, n do c[1] = {} c = c[1] end return t end
            function depth(t) local d = 0 while t do d = d + 1 t = t[1] end return d end
            """)
        #expect(try lua.holds("return depth(rt(nest(1000))) == 1000"))
        let error = lua.error(running: "mp.dumps(nest(1001))")
        #expect(error?.message == "test:1: cannot send value nested deeper than 1000 levels")
    }

    @Test("1000 levels of functions in upvalues, and of tables in keys") func deepFunctionsAndKeys() throws {
        #expect(try lua.holds("""
            local f = function() return 1 end
            for _ = 1, 999 do local g = f f = function() return g() end end
            return rt(f)() == 1
            """))
        #expect(try lua.holds("""
            local k = {} for _ = 1, 999 do k = {[k] = true} end
            local u, d = rt(k), 1
            while next(u) do u = next(u) d = d + 1 end
            return d == 1000
            """))
    }

    @Test func severalValuesInOneMessage() throws {
        try lua.run("return 1, 'two', {3}, nil", results: 4)
        let bytes = try Codec.encode(lua, topValues: 4)
        lua.pop(4)
        #expect(try Codec.decode(lua, bytes) == 4)
        #expect(lua.value(at: -4).integerValue == 1)
        #expect(lua.value(at: -3).stringValue == "two")
        #expect(lua.type(at: -2) == .table)
        #expect(lua.type(at: -1) == .nil)
        lua.pop(4)
        #expect(try Codec.decode(lua, try Codec.encode(lua, topValues: 0)) == 0)
        let none = try Codec.withEncoded(lua, topValues: 0) { Array($0) }
        #expect(try Codec.decode(lua, none) == 0)
    }

    @Test func encodeByStackRangeLeavesTheStackAlone() throws {
        try lua.run("return 'a', {b = 1}, 'c'", results: 3)
        let top = lua.top
        let bytes = try Codec.encode(lua, values: -2 ... -1)
        #expect(lua.top == top)
        #expect(try Codec.decode(lua, bytes) == 2)
        #expect(lua.type(at: -2) == .table)
        #expect(lua.value(at: -1).stringValue == "c")
    }

    @Test func decodingLeavesOnlyTheValues() throws {
        try lua.run("return {1, {2}, f = function() end}", results: 1)
        let bytes = try Codec.encode(lua, topValues: 1)
        let top = lua.top
        #expect(try Codec.decode(lua, bytes) == 1)
        #expect(lua.top == top + 1)
    }

    @Test("a 100 MB string, once") func hugeString() throws {
        try lua.run("big = string.rep('\\0\\255', 50 * 1024 * 1024)")
        #expect(try lua.holds("return rt(big) == big"))
    }
}
