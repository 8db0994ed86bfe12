import CLua

/// The host's side of globals that follow their tasks (DESIGN.md section
/// 6): answers to pulls, and which names the script rebound since each
/// worker last saw them.
///
/// Rebinding is found by comparing `_G` with a snapshot of it, by
/// identity: at each fork (what the new worker has) and before each call
/// whose function reads or writes globals. A name whose value changed,
/// appeared or went is logged with a new version; a worker gets the names
/// logged after the version it has seen, in a `forget` frame, before its
/// next chunk. Only the names of `_G` are compared, not what tables hold:
/// a table changed in place is not rebound.
enum HostGlobals {
    /// Bumped by each check that finds a change.
    nonisolated(unsafe) static var version = 0
    /// Names rebound, each with the version that found it, oldest first.
    nonisolated(unsafe) private static var log: [(version: Int, name: [UInt8])] = []
    private static let snapshotKey = "luapool.globals.snapshot"
    /// Beyond this many entries, the log loses those every worker saw.
    private static let logLimit = 4096

    /// Compares `_G` with the snapshot and logs the names rebound.
    static func check(_ lua: LuaState) {
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        guard lua.ensureStack(8) else { return }
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        let globals = lua.top
        if lua.getRegistry(snapshotKey) != .table {
            lua.pop()
            lua.newTable()
            lua.pushValue(at: -1)
            lua.setRegistry(snapshotKey)
        }
        let snapshot = lua.top
        var changed: [[UInt8]] = []
        // Names added or rebound.
        lua.pushNil()
        while lua.next(of: globals) {
            if lua_type(L, -2) == LUA_TSTRING {
                lua.pushValue(at: -2)
                lua_rawget(L, snapshot)
                if !same(lua, -1, -2) {
                    if let name = lua.toBytes(at: -3) { changed.append(name) }
                    lua.pushValue(at: -3)
                    lua.pushValue(at: -3)
                    lua.rawSet(of: snapshot)
                }
                lua.pop()
            }
            lua.pop()
        }
        // Names gone.
        var gone: [[UInt8]] = []
        lua.pushNil()
        while lua.next(of: snapshot) {
            lua.pushValue(at: -2)
            if lua_rawget(L, globals) == LUA_TNIL, let name = lua.toBytes(at: -3) { gone.append(name) }
            lua.pop(2)
        }
        for name in gone {
            lua.push(bytes: name)
            lua.pushNil()
            lua.rawSet(of: snapshot)
        }
        guard !changed.isEmpty || !gone.isEmpty else { return }
        version += 1
        for name in changed + gone { log.append((version, name)) }
        if log.count > logLimit { trim() }
    }

    /// Whether the values at `a` and `b` are the same for a worker: raw
    /// equal, or both NaN.
    private static func same(_ lua: LuaState, _ a: Int32, _ b: Int32) -> Bool {
        if lua_rawequal(lua.L, a, b) != 0 { return true }
        guard lua_type(lua.L, a) == LUA_TNUMBER, lua_type(lua.L, b) == LUA_TNUMBER,
              lua_isinteger(lua.L, a) == 0, lua_isinteger(lua.L, b) == 0 else { return false }
        return lua_tonumberx(lua.L, a, nil).isNaN && lua_tonumberx(lua.L, b, nil).isNaN
    }

    /// The names rebound after version `seen`, each once.
    static func names(since seen: Int) -> [[UInt8]] {
        var names: [[UInt8]] = []
        var taken = Set<[UInt8]>()
        for entry in log.reversed() {
            if entry.version <= seen { break }
            if taken.insert(entry.name).inserted { names.append(entry.name) }
        }
        return names
    }

    /// Drops the log entries every live worker has seen.
    private static func trim() {
        let seen = WorkerPool.pools.values.compactMap(\.pool)
            .flatMap { $0.slots.filter { $0.pid > 0 }.map(\.seenVersion) }
        let floor = seen.min() ?? version
        log.removeAll { $0.version <= floor }
    }

    /// Pushes the codec message a `value` frame carries for a pull of the
    /// global `name`: `true, _G[name]` read as the script reads it, in a
    /// protected call; `false, error` when that raised or the value cannot
    /// be sent.
    static func answer(_ lua: LuaState, pulling name: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        lua.ensureStack(8)
        clua_pushcfunction(L, clua_index)
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        lua.push(bytes: name)
        let ok = lua_pcallk(L, 2, 1, 0, 0, nil) == LUA_OK
        lua.push(ok)
        lua.insert(at: -2)
        let start = buffer.count
        do {
            try Wire.encode(lua, count: 2, into: &buffer)
            return
        } catch {
            buffer.removeSubrange(start...)
            let text = String(decoding: name, as: UTF8.self)
            let message = ok ? error.message(root: "global '\(text)'")
                : "cannot send the error of reading global '\(text)': \(error.message)"
            lua.pop(2)
            lua.push(false)
            lua.push(message)
            try? Wire.encode(lua, count: 2, into: &buffer)
        }
    }
}
