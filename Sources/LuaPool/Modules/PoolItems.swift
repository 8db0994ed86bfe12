import CLua
import Glibc

// How a pool call reads a list: its items, a `starmap` tuple, the
// arguments of `apply` or of a Process. The count is the list's field `n`
// read raw (as `table.pack` sets it) when that is a number, else `#t`;
// item i is `t[i]`. A plain table is read raw, as the codec sends it. A
// proxy, a table whose metatable has `__index` or `__len`, is read through
// them into a plain copy, in a protected call: an error there is the
// call's error.

enum PoolItems {
    /// The most items one call may have.
    static let itemLimit = Int(Int32.max)
    /// The most values a tuple or an arguments table may hold: as many as
    /// a list. Unpacking more than Lua's stack takes (about a million)
    /// fails where it happens, with Lua's own `too many results to
    /// unpack`, as `table.unpack` does.
    static let argumentLimit = itemLimit

    /// A list on the stack: where, how many items, and whether it must be
    /// copied before it is sent.
    struct List {
        let index: Int32
        let count: Int
        let isProxy: Bool
    }

    /// Reads the count of the table at `index`. A bad count raises `bad
    /// argument #argument`, naming the list as `subject` (`item 3`,
    /// `option 'args'`; nil: the argument itself); an error in `__len` is
    /// raised as it is.
    static func read(_ lua: LuaState, at index: Int32, limit: Int, argument: Int32,
                     subject: String? = nil) throws(LuaRaise) -> List {
        let index = lua.absoluteIndex(index)
        let proxy = isProxy(lua, at: index)
        let of = subject.map { " of \($0)" } ?? ""
        lua.push("n")
        if lua_rawget(lua.L, index) == LUA_TNUMBER {
            let n = integerValue(lua, at: -1)
            guard let n, n >= 0, n <= limit else {
                let got = describe(lua, at: -1)
                lua.pop()
                throw lua.argumentFailure(argument, "field 'n'\(of) must be a whole number from 0 to \(limit), got \(got)")
            }
            lua.pop()
            return List(index: index, count: Int(n), isProxy: proxy)
        }
        lua.pop()
        guard proxy else {
            let n = lua.rawLength(at: index)
            guard n <= limit else {
                throw lua.argumentFailure(argument, "length\(of) must be a whole number from 0 to \(limit), got \(n)")
            }
            return List(index: index, count: n, isProxy: false)
        }
        try pushHelper(lua, length)
        lua.pushValue(at: index)
        try protectedCall(lua, arguments: 1)
        let n = lua.type(at: -1) == .number ? integerValue(lua, at: -1) : nil
        guard let n, n >= 0, n <= limit else {
            let got = describe(lua, at: -1)
            lua.pop()
            throw lua.argumentFailure(argument, "length\(of) must be a whole number from 0 to \(limit), got \(got)")
        }
        lua.pop()
        return List(index: index, count: Int(n), isProxy: true)
    }

    /// Pushes a plain copy of the list, `{t[1], ..., t[n], n = n}`, read
    /// in a protected call (through `__index` for a proxy), and returns it.
    static func pushCopy(_ lua: LuaState, of list: List) throws(LuaRaise) -> List {
        try pushHelper(lua, copy)
        lua.pushValue(at: list.index)
        lua.push(list.count)
        try protectedCall(lua, arguments: 2)
        return List(index: lua.top, count: list.count, isProxy: false)
    }

    /// The list of a `starmap` (plain, at `list.index`), checked: every
    /// item a table with a count that can be unpacked. A proxy tuple is
    /// replaced by a plain copy, in a copy of the list unless `owned` says
    /// the list is already the call's own (pushed above the arguments).
    static func plainTuples(_ lua: LuaState, _ list: List, owned: Bool, argument: Int32) throws(LuaRaise) -> List {
        var list = list, owned = owned
        for i in 1...max(list.count, 1) where list.count > 0 {
            let type = lua.rawGet(lua_Integer(i), of: list.index)
            guard type == .table else {
                lua.pop()
                throw lua.argumentFailure(argument, "table expected at index \(i), got \(type.name)")
            }
            var tuple = try read(lua, at: -1, limit: argumentLimit, argument: argument, subject: "item \(i)")
            if tuple.isProxy {
                if !owned {
                    lua.pop()
                    list = try pushCopy(lua, of: list)
                    owned = true
                    lua.rawGet(lua_Integer(i), of: list.index)
                    tuple = List(index: lua.top, count: tuple.count, isProxy: true)
                }
                _ = try pushCopy(lua, of: tuple)
                lua.rawSet(lua_Integer(i), of: list.index)
            }
            lua.pop()
        }
        return list
    }

    /// Whether the table at `index` is read through metamethods: its
    /// metatable has `__index` or `__len`.
    static func isProxy(_ lua: LuaState, at index: Int32) -> Bool {
        guard lua.getMetatable(at: index) else { return false }
        lua.pop()
        for name in ["__index", "__len"] where lua.getMetafield(name, of: index) != .nil {
            lua.pop()
            return true
        }
        return false
    }

    // MARK: Helpers in Lua

    /// A small Lua function, loaded once and kept in the registry: Lua
    /// code runs the metamethods, so that their errors never unwind
    /// through Swift frames.
    private struct Helper {
        let key: String
        let source: String
    }

    private static let length = Helper(key: "luapool.length", source: "return #(...)")
    private static let copy = Helper(key: "luapool.copy", source: """
        local t, n = ...
        local c = {n = n}
        for i = 1, n do c[i] = t[i] end
        return c
        """)

    private static func pushHelper(_ lua: LuaState, _ helper: Helper) throws(LuaRaise) {
        if lua.getRegistry(helper.key) == .function { return }
        lua.pop()
        do {
            try lua.load(helper.source, name: "=luapool")
        } catch {
            lua.push(error.message)
            throw LuaRaise()
        }
        lua.pushValue(at: -1)
        lua.setRegistry(helper.key)
    }

    /// Calls the function below `arguments` values, leaving its first
    /// result; an error is left as it was raised (a table stays a table),
    /// for the caller to raise.
    private static func protectedCall(_ lua: LuaState, arguments: Int32) throws(LuaRaise) {
        guard lua_pcallk(lua.L, arguments, 1, 0, 0, nil) == LUA_OK else { throw LuaRaise() }
    }

    // MARK: Room

    /// Raises Lua's own `not enough memory` when the host could not hold
    /// a call of `count` items in `chunks` chunks: its results table (and
    /// the copy of a proxy's items, when `copied`) in the interpreter, and
    /// each chunk's state and place in the send queue in the scheduler,
    /// whose arrays would end the process if they could not be allocated.
    static func checkRoom(_ lua: LuaState, count: Int, chunks: Int, copied: Bool,
                          argument: Int32) throws(LuaRaise) {
        // A Lua array slot (TValue) is 16 bytes; the queue is an array of
        // (job, chunk) pairs, built from a temporary one.
        let slot = 16
        let perChunk = MemoryLayout<Job.Chunk>.stride + 3 * MemoryLayout<(UInt32, Int)>.stride
        let chunkBytes = chunks * perChunk
        let bytes = count * slot * (copied ? 2 : 1) + chunkBytes
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        // More than the machine has: a bad count, said before anything
        // is allocated.
        guard physical <= 0 || bytes < physical else {
            throw lua.argumentFailure(argument, "\(count) items are more than memory allows")
        }
        // A large request is tried once as well: an address-space limit
        // (ulimit -v) refuses it here rather than in the scheduler.
        if chunkBytes >= 1 << 26 {
            let probe = malloc(chunkBytes)
            free(probe)
            guard probe != nil else {
                lua.push("not enough memory")
                throw LuaRaise()
            }
        }
    }
}
