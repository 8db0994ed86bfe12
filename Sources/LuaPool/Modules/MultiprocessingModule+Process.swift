import CLua
import Glibc

// `mp.Process(...)`, `mp.active_children()`, `mp.parent_process()`.

extension MultiprocessingModule {
    /// `Process{target = f, args = {...}, name = "...", daemon = bool}` or
    /// `Process(f [, args])`: a process object, not yet started.
    static let process: LuaSwiftFunction = { L in
        luaFunction(L, name: "Process") { lua throws(LuaRaise) in
            var options = ProcessOptions()
            // Where `args` came from, for its errors.
            var (argument, subject): (Int32, String?) = (1, "option 'args'")
            switch lua.type(at: 1) {
            case .table where !lua.isCallable(at: 1):
                try lua.checkNoArguments(from: 2)
                try options.read(lua)
            case .function, .table, .userdata:
                guard lua.isCallable(at: 1) else { throw lua.typeFailure(1, expected: "table or function") }
                try lua.checkNoArguments(from: 3)
                options.target = 1
                (argument, subject) = (2, nil)
                if lua.type(at: 2) != .none, lua.type(at: 2) != .nil {
                    guard lua.type(at: 2) == .table else { throw lua.typeFailure(2, expected: "table") }
                    options.arguments = 2
                }
            default:
                throw lua.typeFailure(1, expected: "table or function")
            }
            guard let target = options.target else {
                throw lua.argumentFailure(1, "option 'target' must be a function, got nil")
            }
            if let arguments = options.arguments {
                // Read as pool calls read their arguments; a proxy is
                // copied now.
                let list = try PoolItems.read(lua, at: arguments, limit: ProcessObject.argumentLimit,
                                              argument: argument, subject: subject)
                if list.isProxy { options.arguments = try PoolItems.pushCopy(lua, of: list).index }
            }
            lua.pushValue(at: target)
            let targetReference = luaL_ref(lua.L, LuaState.registryIndex)
            var argumentsReference: Int32? = nil
            if let arguments = options.arguments {
                lua.pushValue(at: arguments)
                argumentsReference = luaL_ref(lua.L, LuaState.registryIndex)
            }
            ProcessObject(target: targetReference, arguments: argumentsReference,
                          name: options.name, daemon: options.daemon).push(onto: lua)
            return 1
        }
    }

    /// `active_children()`: the started children of this process that
    /// still run, in the order they started; the ended ones are reaped.
    static let activeChildren: LuaSwiftFunction = { L in
        luaFunction(L) { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 1)
            let pid = getpid()
            let running = ProcessObject.running.filter { $0.creator == pid && !$0.hasEnded(lua) }
            lua.newTable(array: Int32(running.count))
            for (i, process) in running.enumerated() {
                process.pushSelf(lua)
                lua.rawSet(lua_Integer(i + 1), of: -2)
            }
            return 1
        }
    }

    /// `parent_process()`: `{name =, pid =}` of the process that started
    /// this one; nil in the host.
    static let parentProcess: LuaSwiftFunction = { L in
        luaFunction(L) { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 1)
            guard let parent = ProcessIdentity.current.parent else {
                lua.pushNil()
                return 1
            }
            pushProcessInfo(lua, name: parent.name, pid: parent.pid)
            return 1
        }
    }
}

/// `{name = ..., pid = ...}`, what `current_process()` and
/// `parent_process()` return.
func pushProcessInfo(_ lua: LuaState, name: String, pid: pid_t) {
    lua.newTable(hash: 2)
    lua.push(name)
    lua.setField("name", of: -2)
    lua.push(Int(pid))
    lua.setField("pid", of: -2)
}

/// The options of `Process{...}`, read from the table at index 1; the
/// target and arguments are left as stack indices.
private struct ProcessOptions {
    var target: Int32?
    var arguments: Int32?
    var name: String?
    var daemon = false

    mutating func read(_ lua: LuaState) throws(LuaRaise) {
        try forEachOption(lua) { key, value throws(LuaRaise) in
            switch key {
            case "target":
                guard lua.isCallable(at: value) else {
                    throw lua.argumentFailure(1, "option 'target' must be a function, got \(lua.typeNameForError(at: value))")
                }
                target = try keep(lua, value)
            case "args":
                guard lua.type(at: value) == .table else {
                    throw lua.argumentFailure(1, "option 'args' must be a table, got \(lua.typeNameForError(at: value))")
                }
                arguments = try keep(lua, value)
            case "name":
                guard lua.type(at: value) == .string, let text = lua.toString(at: value) else {
                    throw lua.argumentFailure(1, "option 'name' must be a string, got \(lua.typeNameForError(at: value))")
                }
                name = text
            case "daemon":
                guard lua.type(at: value) == .boolean else {
                    throw lua.argumentFailure(1, "option 'daemon' must be a boolean, got \(lua.typeNameForError(at: value))")
                }
                daemon = lua.toBool(at: value)
            default:
                return false
            }
            return true
        }
    }

    /// Copies the value at `index` below the traversal (at index 2) and
    /// returns where it will be once the traversal is done.
    private mutating func keep(_ lua: LuaState, _ index: Int32) throws(LuaRaise) -> Int32 {
        lua.pushValue(at: index)
        lua.insert(at: 2)
        if let t = target { target = t + 1 }
        if let a = arguments { arguments = a + 1 }
        return 2
    }
}
