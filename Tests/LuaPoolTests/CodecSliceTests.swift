import CLua
import LuaPool
import Testing

/// `Codec.withEncodedSlice` and `Codec.decodeSlice`: a run of a table's
/// items as the list `{..., n = count}`, without building it, and a list
/// stored straight into another table; `Codec.ListWriter` and
/// `Codec.ListReader`: the same message an item at a time.
@Suite("Codec slices")
struct CodecSliceTests {
    let lua: LuaState

    init() throws {
        lua = try makeCodecLua()
        try lua.run("""
            shared = {1}
            xs = {10, 2.5, "s", {a = 1}, shared, shared, true, false, print, 0x7fffffffffffffff}
            holes = {1, nil, 3, nil, nil, 6}
            """)
        // Numbers of every width and kind, broken by other values past the
        // C loops' batch of 64: runs of numbers go through C.
        try lua.run("""
            local edges = \(codecNumberEdges)
            numbers = {}
            for i = 1, 300 do numbers[i] = edges[(i - 1) % #edges + 1] end
            numbers[70], numbers[200] = "text", {7}
            function same_numbers(back)
              for i = 1, 300 do
                local a, b = numbers[i], back[i]
                if type(a) == "table" then
                  if type(b) ~= "table" or b[1] ~= 7 then return false end
                elseif math.type(a) ~= math.type(b) then return false
                elseif a ~= a then if b == b then return false end
                elseif a ~= b or (a == 0 and 1 / a ~= 1 / b) then return false end
              end
              return true
            end
            """)
    }

    /// The bytes of the slice `t[first ..< first + count]` of the global `name`.
    private func slice(_ name: String, first: lua_Integer, count: Int) throws -> [UInt8] {
        lua.getGlobal(name)
        defer { lua.pop() }
        return try Codec.withEncodedSlice(lua, table: -1, first: first, count: count) { Array($0) }
    }

    @Test("a slice encodes byte for byte as the list built from it (runs of numbers too)", arguments: [
        ("xs", 1, 10), ("xs", 3, 4), ("xs", 10, 1), ("xs", 5, 0),
        ("numbers", 1, 300), ("numbers", 2, 63), ("numbers", 64, 130), ("numbers", 65, 1), ("numbers", 199, 3),
        ("numbers", 71, 129),
    ])
    func sameBytesAsTheList(name: String, first: Int, count: Int) throws {
        let bytes = try slice(name, first: lua_Integer(first), count: count)
        try lua.run("return table.move(\(name), \(first), \(first + count - 1), 1, {n = \(count)})", results: 1)
        let list = try Codec.encode(lua, topValues: 1)
        lua.pop()
        #expect(bytes == list)
    }

    @Test("runs of numbers decode into the table as they were")
    func numbersDecodeInto() throws {
        let bytes = try slice("numbers", first: 1, count: 300)
        try lua.run("back = {}")
        lua.getGlobal("back")
        let stored = try bytes.withUnsafeBytes { try Codec.decodeSlice(lua, $0, into: -1, at: 1) }
        lua.pop()
        #expect(stored == 300)
        #expect(try lua.holds("return same_numbers(back)"))
    }

    @Test("holes travel as nil items and n counts them")
    func holes() throws {
        let bytes = try slice("holes", first: 1, count: 6)
        #expect(try Codec.decode(lua, bytes) == 1)
        lua.setGlobal("back")
        #expect(try lua.holds("""
            return back.n == 6 and back[1] == 1 and back[2] == nil and back[3] == 3
              and back[5] == nil and back[6] == 6
            """))
    }

    @Test("a short run of numbers is the message of its values byte for byte; any other value: none", arguments: [
        (1, 1), (1, 20), (21, 20), (61, 5), (5, 0), (1, 64), (69, 1), (70, 1), (65, 10), (195, 10),
    ])
    func shortNumbers(first: Int, count: Int) throws {
        lua.getGlobal("numbers")
        let table = lua.top
        defer { lua.pop() }
        let bytes = try Codec.withEncodedNumbers(lua, table: table, first: lua_Integer(first), count: count) { Array($0) }
        #expect(lua.top == table)
        let hasOther = (first..<(first + count)).contains { $0 == 70 || $0 == 200 }
        if hasOther {
            #expect(bytes == nil)
            return
        }
        for i in first..<(first + count) { lua.rawGet(lua_Integer(i), of: table) }
        let values = try Codec.encode(lua, topValues: Int32(count))
        lua.top = table
        #expect(bytes == values)
        // the same values on the stack, and pushed back from the message
        for i in first..<(first + count) { lua.rawGet(lua_Integer(i), of: table) }
        let onStack = try Codec.withEncodedNumbers(lua, first: table + 1, count: count) { Array($0) }
        #expect(onStack == values)
        lua.top = table
        #expect(values.withUnsafeBytes { Codec.pushNumbers(lua, $0) } == count)
        #expect(lua.top == table + Int32(count))
        let again = try Codec.encode(lua, topValues: Int32(count))
        #expect(again == values)
        lua.top = table
        // and back: stored from index 101 on, as a decode and a store of each
        try lua.run("back = {}")
        lua.getGlobal("back")
        let stored = values.withUnsafeBytes { Codec.storeNumbers(lua, $0, count: count, into: lua.top, at: 101) }
        #expect(stored)
        lua.pop()
        try lua.run("""
            for i = 0, \(count) - 1 do
              local a, b = numbers[\(first) + i], back[101 + i]
              assert(math.type(a) == math.type(b) and (a ~= a and b ~= b or a == b and (a ~= 0 or 1 / a == 1 / b)), i)
            end
            local keys = 0
            for _ in pairs(back) do keys = keys + 1 end
            assert(keys == \(count), "keys")
            """)
    }

    @Test("a message that is not one of so many numbers is not stored as one")
    func shortNumbersRefused() throws {
        try lua.run("back = {}")
        lua.getGlobal("back")
        let table = lua.top
        defer { lua.pop() }
        func message(_ values: String) throws -> [UInt8] {
            try lua.run("return \(values)", results: LUA_MULTRET)
            let count = lua.top - table
            defer { lua.top = table }
            return try Codec.encode(lua, topValues: count)
        }
        let three = try message("1, 2.5, 3")
        func stores(_ bytes: [UInt8], count: Int) -> Bool {
            bytes.withUnsafeBytes { Codec.storeNumbers(lua, $0, count: count, into: table, at: 1) }
        }
        func pushes(_ bytes: [UInt8]) -> Int? {
            defer { lua.top = table }
            return bytes.withUnsafeBytes { Codec.pushNumbers(lua, $0) }
        }
        #expect(pushes(three) == 3)
        #expect(pushes(three + [0]) == nil)
        #expect(pushes(Array(three.dropLast())) == nil)
        #expect(pushes(try message("1, 'two', 3")) == nil)
        #expect(pushes(try message("true")) == nil)
        #expect(pushes([]) == nil)
        #expect(stores(three, count: 3))
        #expect(!stores(three, count: 2))
        #expect(!stores(three, count: 4))
        #expect(!stores(three + [0], count: 3))
        #expect(!stores(Array(three.dropLast()), count: 3))
        #expect(!stores(try message("1, 'two', 3"), count: 3))
        #expect(!stores(try message("1, nil, 3"), count: 3))
        #expect(!stores(try message("{}"), count: 1))
        #expect(!stores([], count: 0))
        var other = three
        other[0] = 99
        #expect(!stores(other, count: 3))
        #expect(pushes(other) == nil)
        other = three
        other[1] = 4  // announces four values
        #expect(pushes(other) == nil)
        other = three
        other[5] = 1  // a key slot
        #expect(pushes(other) == nil)
        #expect(lua.top == table)
    }

    @Test("decodeSlice stores the items from an index on; the list's n is dropped")
    func decodeInto() throws {
        let bytes = try slice("xs", first: 3, count: 6)
        try lua.run("into = {n = 'kept'}")
        lua.getGlobal("into")
        let stored = try bytes.withUnsafeBytes { try Codec.decodeSlice(lua, $0, into: -1, at: 101) }
        lua.pop()
        #expect(stored == 6)
        #expect(lua.top == 0)
        #expect(try lua.holds("""
            return into[100] == nil and into[101] == 's' and into[102].a == 1
              and into[103] == into[104] and into[103][1] == 1 and into[105] == true
              and into[106] == false and into[107] == nil and into.n == 'kept'
            """))
    }

    @Test("an item that cannot be sent is named by its place in the list")
    func unsendable() throws {
        try lua.run("bad = {1, 2, io.stdout}")
        let error = #expect(throws: CodecError.self) { try slice("bad", first: 2, count: 2) }
        #expect(error?.message == "cannot send userdata (FILE*) at [2]")
    }

    @Test("decodeSlice refuses what is not one table without metatable", arguments: [
        "1", "1, 2", "setmetatable({}, {})", "'abc'",
    ])
    func refusals(_ expression: String) throws {
        try lua.run("return \(expression)", results: LuaState.multipleResults)
        let bytes = try Codec.encode(lua, topValues: lua.top)
        lua.top = 0
        try lua.run("into = {}")
        lua.getGlobal("into")
        defer { lua.top = 0 }
        #expect(throws: CodecError.self) {
            try bytes.withUnsafeBytes { try Codec.decodeSlice(lua, $0, into: 1, at: 1) }
        }
        #expect(lua.top == 1)
    }

    /// Calls `body` with 20,000 seeded mutations of `original`: up to four
    /// changed, dropped or inserted bytes each.
    private func forEachMutation(of original: [UInt8], seed: UInt64, _ body: ([UInt8]) throws -> Void) rethrows {
        var state = seed
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0...(next() % 4) {
                switch next() % 3 {
                case 0: bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.removeLast(min(bytes.count - 1, next() % 8))
                default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: next() % bytes.count)
                }
            }
            try body(bytes)
        }
    }

    @Test("decodeSlice on 20,000 mutated messages: an error or a result, never a crash")
    func mutations() throws {
        try lua.run("into = {}")
        lua.getGlobal("into")
        defer { lua.top = 0 }
        forEachMutation(of: try slice("xs", first: 1, count: 10), seed: 0x9E3779B97F4A7C15) { bytes in
            _ = try? bytes.withUnsafeBytes { try Codec.decodeSlice(lua, $0, into: 1, at: 1) }
            #expect(lua.top == 1)
        }
    }

    /// Writes the values that `source` returns as a list, one at a time,
    /// with `between` run between them.
    private func written(_ source: String, count: Int, between: String = "") throws -> [UInt8] {
        try lua.run("next_value = \(source)")
        let writer = try Codec.ListWriter(lua, count: count)
        let top = lua.top
        for _ in 0..<count {
            try lua.run("return next_value()", results: 1)
            writer.append()
            lua.top = top
            if !between.isEmpty { try lua.run(between) }
        }
        defer { lua.top = 0 }
        return try writer.finish { Array($0) }
    }

    @Test("ListWriter writes the bytes of the list, shared objects shared")
    func writerSameBytes() throws {
        let bytes = try written("coroutine.wrap(function() for i = 1, #xs do coroutine.yield(xs[i]) end end)", count: 10)
        #expect(bytes == (try slice("xs", first: 1, count: 10)))
        #expect(lua.top == 0)
    }

    @Test("ListWriter takes a run of values at once: the bytes of the list")
    func writerRuns() throws {
        let writer = try Codec.ListWriter(lua, count: 300)
        let top = lua.top
        #expect(lua.ensureStack(310))
        lua.getGlobal("numbers")
        let t = lua.top
        for i in 1...300 { _ = lua.rawGet(lua_Integer(i), of: t) }
        writer.append(from: t + 1, count: 100)
        writer.append(from: t + 101, count: 200)
        lua.top = top
        let bytes = try writer.finish { Array($0) }
        lua.top = 0
        #expect(bytes == (try slice("numbers", first: 1, count: 300)))
    }

    @Test("ListWriter keeps what it wrote alive: new tables after a collection are not taken for old ones")
    func writerKeepsObjects() throws {
        let bytes = try written("function() return {} end", count: 300, between: "collectgarbage()")
        #expect(try Codec.decode(lua, bytes) == 1)
        lua.setGlobal("back")
        #expect(try lua.holds("""
            local seen = {}
            for i = 1, 300 do
              if type(back[i]) ~= 'table' or seen[back[i]] then return false end
              seen[back[i]] = true
            end
            return back.n == 300
            """))
    }

    @Test("ListWriter names an item that cannot be sent, at the end, and leaves the stack as it was")
    func writerRefusal() throws {
        let writer = try Codec.ListWriter(lua, count: 3)
        let top = lua.top
        lua.push(1)
        writer.append()
        try lua.run("return {ok = {1}, log = io.stdout}", results: 1)
        writer.append()
        lua.push(3)
        writer.append()
        lua.top = top
        let error = #expect(throws: CodecError.self) { try writer.finish { _ in () } }
        #expect(error?.message == "cannot send userdata (FILE*) at [2].log")
        #expect(writer.failedItem == 2)
        #expect(lua.top == top)
        writer.pushWaiting(2)
        #expect(lua.type(at: -1) == .table)
        lua.top = 0
    }

    @Test("ListWriter writes a table as it is at the end, not as it was when taken")
    func writerWritesTablesAtTheEnd() throws {
        let bytes = try written("""
            (function()
              local acc, k = {n = 0}, 0
              return function() k = k + 1; acc.n = k; if k == 1 then return 5 end return acc end
            end)()
            """, count: 4)
        #expect(try Codec.decode(lua, bytes) == 1)
        lua.setGlobal("back")
        #expect(try lua.holds("return back[1] == 5 and back[2] == back[4] and back[2].n == 4"))
    }

    @Test("ListReader reads the items in order, then the rest")
    func readerItems() throws {
        let bytes = try slice("xs", first: 1, count: 10)
        try bytes.withUnsafeBytes { raw in
            let reader = try Codec.ListReader(lua, raw)
            #expect(reader.count == 10)
            let top = lua.top
            lua.newTable()
            for i in 1...10 {
                try reader.next()
                lua.rawSet(lua_Integer(i), of: top + 1)
            }
            try reader.finish()
            lua.setGlobal("back")
            lua.top = 0
        }
        #expect(try lua.holds("""
            return back[1] == 10 and back[3] == 's' and back[4].a == 1 and back[5] == back[6]
              and back[5][1] == 1 and back[9] == print and math.type(back[10]) == 'integer'
            """))
    }

    @Test("ListReader reads runs of numbers at once and other values one by one")
    func readerRuns() throws {
        let bytes = try slice("numbers", first: 1, count: 300)
        var runs: [Int] = []
        try bytes.withUnsafeBytes { raw in
            let reader = try Codec.ListReader(lua, raw)
            #expect(lua.ensureStack(310))
            let top = lua.top
            var read = 0
            while read < reader.count {
                let n = reader.nextNumbers(reader.count - read)
                runs.append(n)
                read += n
                if read < reader.count {
                    try reader.next()
                    read += 1
                }
            }
            try reader.finish()
            lua.newTable()
            for i in 1...300 {
                lua.pushValue(at: top + Int32(i))
                lua.rawSet(lua_Integer(i), of: top + 301)
            }
            lua.setGlobal("back")
            lua.top = 0
        }
        #expect(runs == [69, 129, 100])
        #expect(try lua.holds("return same_numbers(back)"))
    }

    /// Reads all of a list with ListReader, runs of numbers at once.
    private func readAll(_ raw: UnsafeRawBufferPointer) throws {
        let reader = try Codec.ListReader(lua, raw)
        guard lua.ensureStack(Int32(reader.count) + 8) else { return }
        var read = 0
        while read < reader.count {
            read += reader.nextNumbers(reader.count - read)
            if read < reader.count {
                try reader.next()
                read += 1
            }
        }
        try reader.finish()
    }

    @Test("a message of numbers cut at any byte, or mutated 20,000 ways: an error or the items, never a crash")
    func numberMutations() throws {
        let original = try slice("numbers", first: 1, count: 300)
        try lua.run("into = {}")
        lua.getGlobal("into")
        for length in 0..<original.count {
            let cut = Array(original.prefix(length))
            #expect(throws: CodecError.self) { try cut.withUnsafeBytes { try Codec.decodeSlice(lua, $0, into: 1, at: 1) } }
            #expect(lua.top == 1)
        }
        forEachMutation(of: original, seed: 0x5851F42D4C957F2D) { bytes in
            _ = try? bytes.withUnsafeBytes { try Codec.decodeSlice(lua, $0, into: 1, at: 1) }
            #expect(lua.top == 1)
        }
        lua.top = 0
        for length in 0..<original.count {
            let cut = Array(original.prefix(length))
            #expect(throws: CodecError.self) { try cut.withUnsafeBytes { try readAll($0) } }
            lua.top = 0
        }
        forEachMutation(of: original, seed: 0x14057B7EF767814F) { bytes in
            bytes.withUnsafeBytes { raw in _ = try? readAll(raw) }
            lua.top = 0
        }
    }

    @Test("ListReader on 20,000 mutated messages: an error or the items, never a crash")
    func readerMutations() throws {
        forEachMutation(of: try slice("xs", first: 1, count: 10), seed: 0x2545F4914F6CDD1D) { bytes in
            bytes.withUnsafeBytes { raw in
                do {
                    let reader = try Codec.ListReader(lua, raw)
                    for _ in 0..<reader.count { try reader.next() }
                    try reader.finish()
                } catch {}
            }
            lua.top = 0
        }
        #expect(lua.top == 0)
    }
}
