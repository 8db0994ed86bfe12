import CLua
import Glibc

// The methods and fields of a Process object: p:start(), p:join([t]),
// p:is_alive(), p:terminate(), p:kill(), p:close(); p.pid, p.name,
// p.daemon, p.exitcode.

extension ProcessObject {
    static let methods: [(String, LuaSwiftFunction)] = [
        ("start", { L in
            processMethod(L, "start", takes: 0) { process, call throws(LuaRaise) in
                let lua = call.lua
                guard process.child == nil else { throw lua.failure("process already started") }
                guard process.creator == getpid() else {
                    throw lua.failure("can only start a process object created by the current process")
                }
                if ProcessIdentity.current.isWorker {
                    throw lua.failure("a process cannot be started inside a pool worker (\(ProcessIdentity.current.name))")
                }
                do {
                    try process.start(lua, object: LuaState.upvalueIndex(1))
                } catch {
                    throw lua.failure("cannot start \(process.name): \(error)")
                }
                return 0
            }
        }),
        ("join", { L in
            processMethod(L, "join", takes: 1) { process, call throws(LuaRaise) in
                let lua = call.lua
                let timeout = try readTimeout(call, argument: 1)
                let child = try process.startedChild(call, "join")
                do throws(WorkerPool.WaitError) {
                    _ = try child.wait(timeout: timeout)
                } catch {
                    switch error {
                    case .interrupted: throw PoolErrors.interrupted(lua)
                    case .busy: throw PoolErrors.busy(lua)
                    case .system(let failure): throw lua.failure("cannot wait for \(process.name): \(failure)")
                    }
                }
                _ = process.hasEnded(lua)
                return 0
            }
        }),
        ("is_alive", { L in
            processMethod(L, "is_alive", takes: 0) { process, call throws(LuaRaise) in
                if process.child == nil {
                    call.lua.push(false)
                } else {
                    _ = try process.startedChild(call, "test")
                    call.lua.push(!process.hasEnded(call.lua))
                }
                return 1
            }
        }),
        ("terminate", { L in signalMethod(L, "terminate", SIGTERM) }),
        ("kill", { L in signalMethod(L, "kill", SIGKILL) }),
        ("close", { L in
            processMethod(L, "close", takes: 0) { process, call throws(LuaRaise) in
                if process.child != nil, !process.hasEnded(call.lua) {
                    throw call.lua.failure("cannot close a process while it is still running; join or terminate it first")
                }
                process.closed = true
                return 0
            }
        }),
    ]

    /// The started child, for a method that needs one: `can only join a
    /// started process` when there is none yet, `can only join a child
    /// process` in another process than the one that started it.
    func startedChild(_ call: LuaMethodCall, _ verb: String) throws(LuaRaise) -> ForkedProcess {
        guard let child, creator == getpid() else {
            let what = creator == getpid() ? "started" : "child"
            throw call.lua.failure("can only \(verb) a \(what) process")
        }
        return child
    }
}

/// `p:terminate()` (SIGTERM) and `p:kill()` (SIGKILL): nothing when the
/// child has already ended.
private func signalMethod(_ L: OpaquePointer?, _ name: String, _ signal: Int32) -> Int32 {
    processMethod(L, name, takes: 0) { process, call throws(LuaRaise) in
        let child = try process.startedChild(call, name)
        if !process.hasEnded(call.lua) { child.send(signal) }
        return 0
    }
}

/// Runs a bound Process method that takes `count` arguments (the object
/// not counted); every method but `close` refuses a closed object.
private func processMethod(
    _ L: OpaquePointer?, _ name: String, takes count: Int32,
    _ body: (ProcessObject, LuaMethodCall) throws(LuaRaise) -> Int32
) -> Int32 {
    boundMethod(L, name, ProcessObject.self, collected: "the process object was collected") { process, call throws(LuaRaise) in
        try call.checkNoArguments(after: count)
        if process.closed, name != "close" { throw call.lua.failure("process object is closed") }
        return try body(process, call)
    }
}

/// `__index`: methods, then `pid`, `ident`, `name`, `daemon`, `exitcode`;
/// nil for other keys, as a table gives.
let processProperty: LuaSwiftFunction = { L in
    luaFunction(L) { lua throws(LuaRaise) in
        if pushMethod(lua) { return 1 }
        guard let process = LuaMethodCall(lua).object(ProcessObject.self),
              lua.type(at: 2) == .string, let key = lua.toString(at: 2) else {
            lua.pushNil()
            return 1
        }
        switch key {
        case "name":
            lua.push(process.name)
        case "daemon":
            lua.push(process.daemon)
        case "pid", "ident":
            if let child = process.child { lua.push(Int(child.pid)) } else { lua.pushNil() }
        case "exitcode":
            if process.closed { throw lua.failure("process object is closed") }
            if process.hasEnded(lua), let code = process.child?.exitCode { lua.push(code) } else { lua.pushNil() }
        default:
            lua.pushNil()
        }
        return 1
    }
}

/// `__newindex`: `name` (a string) and `daemon` (a boolean, before
/// `start`) may be set; nothing else.
let processAssign: LuaSwiftFunction = { L in
    luaFunction(L) { lua throws(LuaRaise) in
        guard let process = LuaMethodCall(lua).object(ProcessObject.self) else { return 0 }
        let key = lua.type(at: 2) == .string ? lua.toString(at: 2) ?? "" : ""
        switch key {
        case "name":
            guard lua.type(at: 3) == .string, let name = lua.toString(at: 3) else {
                throw lua.failure("field 'name' of a Process must be a string, got \(lua.typeNameForError(at: 3))")
            }
            process.name = name
        case "daemon":
            guard lua.type(at: 3) == .boolean else {
                throw lua.failure("field 'daemon' of a Process must be a boolean, got \(lua.typeNameForError(at: 3))")
            }
            guard process.child == nil else { throw lua.failure("cannot set 'daemon' of a started process") }
            process.daemon = lua.toBool(at: 3)
        case "pid", "ident", "exitcode":
            throw lua.failure("field '\(key)' of a Process cannot be set")
        default:
            throw lua.failure("a Process has no field \(describe(lua, at: 2))")
        }
        return 0
    }
}

/// `__tostring`: `Process(Process-1, pid 4122, running)`.
let processToString: LuaSwiftFunction = { L in
    luaFunction(L) { lua in
        if let process = ProcessObject.get(lua, at: 1) {
            _ = process.hasEnded(lua)
            lua.push(process.description)
        } else {
            lua.push("Process (collected)")
        }
        return 1
    }
}
