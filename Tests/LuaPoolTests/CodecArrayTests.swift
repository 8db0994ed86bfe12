import CLua
import LuaPool
import Testing

/// The codec's C loops over runs of numbers read and write a table's array
/// part in place when `clua_arrayprobe` finds Lua's layout (CLua/shim.h):
/// the same bytes and the same stored values as through the C API, for
/// every kind of number, values that end a run, and slots past the array
/// part's limit.
@Suite("Codec arrays in place")
struct CodecArrayTests {
    let lua: LuaState

    init() throws {
        lua = try makeCodecLua()
        try lua.run("""
            local edges = \(codecNumberEdges)
            numbers = {}
            for i = 1, 500 do numbers[i] = edges[(i - 1) % #edges + 1] end
            broken = {}
            for i = 1, 500 do broken[i] = numbers[i] end
            broken[300] = "text"
            -- an array part whose limit # lowered (to 40, the border it
            -- found, past half the part's 64 slots), with numbers past the
            -- limit, which are read through the API; made again for each
            -- read, as reading past the limit raises it
            function make_lowered()
              local t = {}
              for i = 1, 64 do t[i] = i end
              for i = 41, 64 do t[i] = nil end
              for i = 50, 55 do t[i] = -i end
              assert(#t == 40)
              return t
            end
            """)
    }

    @Test("this build reads Lua's tables in place")
    func probed() {
        #expect(LuaState.directArrays == 1)
        #expect(clua_arrayprobe(lua.L) == 1)
        #expect(lua.top == 0)
    }

    @Test("a lowered limit: the numbers past it are counted as the API counts them")
    func loweredCounts() throws {
        // 40 numbers, then a hole, then 6 past the limit: a run from 1
        // stops at 40; one from 50 takes all 6 through the API.
        #expect(try put("lowered", first: 1, count: 64, direct: 1).0 == 40)
        #expect(try put("lowered", first: 50, count: 6, direct: 1).0 == 6)
        #expect(try put("lowered", first: 50, count: 7, direct: 1).0 == 6)
    }

    /// What `clua_puttablenumbers` writes for `t[first ..< first + n]` of
    /// the global `name`, in place or not: how many values, and the bytes.
    private func put(_ name: String, first: lua_Integer, count: Int, direct: Int32) throws -> (Int32, [UInt8]) {
        if name == "lowered" {
            try lua.run("lowered = make_lowered()")
        }
        lua.getGlobal(name)
        defer { lua.pop() }
        if name == "lowered" {
            #expect(clua_arraylimit(lua.L, lua.top, 1) == 40)
        }
        #expect(lua_checkstack(lua.L, CLUA_NUMBER_BATCH + 2) != 0)
        var out = [UInt8](repeating: 0, count: 9 * count + 1)
        var bytes = 0
        let done = out.withUnsafeMutableBufferPointer {
            clua_puttablenumbers(lua.L, lua.top, first, Int32(count), $0.baseAddress!, &bytes, direct)
        }
        return (done, Array(out[..<bytes]))
    }

    @Test("runs read in place give the API's bytes", arguments: [
        ("numbers", 1, 500), ("numbers", 7, 100), ("numbers", 500, 1), ("numbers", 450, 51), ("numbers", 501, 5),
        ("broken", 1, 500), ("broken", 299, 10), ("broken", 300, 1),
        ("lowered", 1, 64), ("lowered", 30, 11), ("lowered", 40, 1), ("lowered", 41, 5), ("lowered", 50, 6),
        ("lowered", 50, 10), ("lowered", 64, 1),
    ])
    func reads(name: String, first: Int, count: Int) throws {
        let api = try put(name, first: lua_Integer(first), count: count, direct: 0)
        let direct = try put(name, first: lua_Integer(first), count: count, direct: 1)
        #expect(direct.0 == api.0)
        #expect(direct.1 == api.1)
        #expect(lua.top == 0)
    }

    @Test("runs stored in place are the API's values", arguments: [
        (500, 1, 500), (500, 1, 300), (100, 50, 200), (0, 1, 500), (500, 480, 40),
    ])
    func stores(arraySize: Int, first: Int, count: Int) throws {
        // The bytes of `count` numbers from `numbers`, then a string tag.
        let (written, bytes) = try put("numbers", first: 1, count: count, direct: 0)
        #expect(written == Int32(count))
        let message = bytes + [0x07]
        for direct: Int32 in [0, 1] {
            lua.newTable(array: Int32(arraySize))
            var used = 0
            let stored = message.withUnsafeBufferPointer {
                clua_storenumbers(lua.L, lua.top, lua_Integer(first), $0.baseAddress!, $0.count,
                                  Int32(count + 1), &used, direct)
            }
            #expect(stored == Int32(count))
            #expect(used == bytes.count)
            lua.setGlobal(direct == 0 ? "viaAPI" : "inPlace")
        }
        try lua.run("first, count = \(first), \(count)")
        #expect(try lua.holds("""
            for i = 1, 1000 do
              local a, b = viaAPI[i], inPlace[i]
              local want = i >= first and i < first + count and numbers[i - first + 1] or nil
              if math.type(a) ~= math.type(b) or math.type(a) ~= math.type(want) then return false end
              if a == a and (a ~= b or a ~= want or (a == 0 and 1 / a ~= 1 / b)) then return false end
              if a ~= a and b == b then return false end
            end
            return #viaAPI == #inPlace
            """))
    }
}
