import CLua
import Glibc

// Globals a worker lacks, pulled from the host (the protocol is in
// Message.swift). The pull hook is the first `__index` of the worker's
// `_G`: a read of a global the worker does not have sends `pull` and waits
// for the host's `value`. What arrives meanwhile is kept aside, in order,
// and handled once the running chunk is done; the chunk being read is
// never disturbed. A value stays in the worker's `_G` until the host says
// to forget it; a nil answer is remembered until the next call.

extension WorkerLoop {
    /// The worker loop of this process (a worker runs one), for the hook.
    nonisolated(unsafe) static var current: WorkerLoop?

    /// Registry keys: the names the host said are nil, and the function
    /// that delegates to the `__index` `_G` had before the hook.
    static let nilsKey = "luapool.worker.nils"
    static let delegateKey = "luapool.worker.delegate"

    /// Makes the pull hook the first `__index` of `_G`: a new metatable
    /// with every field of the one `_G` had, whose `__index` asks the host
    /// first and then the old `__index`.
    func installPullHook() {
        let L = lua.L
        let base = lua.top
        defer { lua.top = base }
        lua.ensureStack(10)
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        let globals = lua.top
        lua.newTable()
        let metatable = lua.top
        if lua_getmetatable(L, globals) != 0 {
            let old = lua.top
            lua.pushNil()
            while lua.next(of: old) {
                lua.pushValue(at: -2)
                lua.insert(at: -2)
                lua.rawSet(of: metatable)
            }
            lua.push("__index")
            lua_rawget(L, old)
        } else {
            lua.pushNil()
        }
        lua.newTable()
        lua.pushValue(at: -1)
        lua.setRegistry(WorkerLoop.nilsKey)
        lua.pushFunction(pullHook, upvalues: 2)
        lua.push("__index")
        lua.insert(at: -2)
        lua.rawSet(of: metatable)
        lua.pushValue(at: metatable)
        lua_setmetatable(L, globals)
        if (try? lua.load("local old, t, k = ... if type(old) == 'function' then return (old(t, k)) end return old[k]",
                          name: "=luapool")) != nil {
            lua.setRegistry(WorkerLoop.delegateKey)
        }
    }

    /// Forgets the nil answers (a new call, or globals the host rebound).
    func forgetNils() {
        let base = lua.top
        defer { lua.top = base }
        guard lua.getRegistry(WorkerLoop.nilsKey) == .table else { return }
        let nils = lua.top
        lua.pushNil()
        while lua.next(of: nils) {
            lua.pop()
            lua.pushValue(at: -1)
            lua.pushNil()
            lua.rawSet(of: nils)
        }
    }

    /// A `forget` frame: drops the globals the host rebound, so the next
    /// read of each pulls its current value.
    func forget(_ body: UnsafeRawBufferPointer) throws {
        let base = lua.top
        defer { lua.top = base }
        let count = try Wire.decode(lua, body)
        lua_rawgeti(lua.L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        let globals = lua.top
        for k in 0..<count {
            lua.pushValue(at: base + 1 + k)
            lua.pushNil()
            lua.rawSet(of: globals)
        }
        forgetNils()
    }

    /// How a pull ended.
    enum PullResult {
        /// The value is on top of the stack (nil: the host has none).
        case value
        /// The error to raise is on top of the stack.
        case failed
    }

    /// Asks the host for the global whose name is the string at `index`
    /// and waits for the answer.
    func pull(nameAt index: Int32) -> PullResult {
        var length = 0
        guard let name = lua_tolstring(lua.L, index, &length) else { return fail("bad global name") }
        Frame.appendHeader(length: 1 + length, to: &output)
        MessageHeader(kind: .pull).append(to: &output)
        output.append(contentsOf: UnsafeRawBufferPointer(start: name, count: length))
        guard send() else { return fail("the host is gone") }
        // The wait for the host does not count against a task's time.
        let started = limits.pause()
        defer { limits.resume(since: started) }
        // What follows the chunk being run is now the pull's to read.
        reader.takeRest { _ = pullReader.append($0) }
        while true {
            var answer: [UInt8]?
            do {
                while answer == nil, try pullReader.next({ frame in
                    if frame.first == MessageKind.value.rawValue {
                        answer = Array(frame.dropFirst())
                    } else {
                        deferred.append(Array(frame))
                    }
                }) {}
            } catch {
                return fail("\(error)")
            }
            if let answer { return receiveValue(answer, name: lua.toString(at: index) ?? "?") }
            let count = pullReader.fill({ Spin.read(socket, into: $0) }).count
            if pullReader.failedAllocation != nil { return fail("not enough memory") }
            guard let count, count > 0 else { return fail("the host is gone") }
        }
    }

    /// Decodes a `value` frame: pushes the value or the error.
    private func receiveValue(_ bytes: [UInt8], name: String) -> PullResult {
        lua.ensureStack(4)
        let decoded: Result<Int32, CodecError> = bytes.withUnsafeBytes { raw in
            Result { () throws(CodecError) in try Wire.decode(lua, raw) }
        }
        switch decoded {
        case .success(2): break
        case .success: return fail("bad answer to a pull")
        case .failure(let error): return fail("cannot receive global '\(name)': \(error.message)")
        }
        let ok = lua.toBool(at: -2)
        lua.remove(at: -2)
        return ok ? .value : .failed
    }

    private func fail(_ message: String) -> PullResult {
        lua.push(message)
        return .failed
    }

    /// Handles the frames kept aside during pulls, in order, then gives
    /// what the pulls read beyond them back to the main reader. Stops when
    /// the worker is to leave (maxtasksperchild).
    func handleDeferred() throws {
        while !deferred.isEmpty {
            if tasksLeft == 0 { return }
            let frame = deferred.removeFirst()
            try frame.withUnsafeBytes { try handle($0) }
        }
        if pullReader.holdsBytes {
            var ok = true
            pullReader.takeRest { ok = reader.append($0) }
            if !ok { throw WorkerProtocolError() }
        }
    }
}

/// `__index(t, k)` of the worker's `_G`: upvalue 1 is the `__index` it had
/// before, upvalue 2 the table of names the host said are nil.
private let pullHook: LuaSwiftFunction = { L in
    guard let L else { return 0 }
    let lua = LuaState(borrowing: L)
    lua_settop(L, 2)
    if lua_type(L, 2) == LUA_TSTRING, let loop = WorkerLoop.current {
        lua_pushvalue(L, 2)
        let known = lua_rawget(L, LuaState.upvalueIndex(2)) != LUA_TNIL
        lua_settop(L, 2)
        if !known {
            switch loop.pull(nameAt: 2) {
            case .failed:
                return -1
            case .value:
                if lua_type(L, -1) != LUA_TNIL {
                    lua_pushvalue(L, 2)
                    lua_pushvalue(L, -2)
                    lua_rawset(L, 1)
                    return 1
                }
                lua_settop(L, 2)
                lua_pushvalue(L, 2)
                lua_pushboolean(L, 1)
                lua_rawset(L, LuaState.upvalueIndex(2))
            }
        }
    }
    // Not the host's: the `__index` `_G` had before, if any.
    guard lua_type(L, LuaState.upvalueIndex(1)) != LUA_TNIL,
          lua.getRegistry(WorkerLoop.delegateKey) == .function else {
        lua_pushnil(L)
        return 1
    }
    lua_pushvalue(L, LuaState.upvalueIndex(1))
    lua_pushvalue(L, 1)
    lua_pushvalue(L, 2)
    return lua_pcallk(L, 3, 1, 0, 0, nil) == LUA_OK ? 1 : -1
}
