import CLua
import Glibc

/// What `mp.Process{target =, args =, name =, daemon =}` returns: one
/// function to run in a forked child, as Python's
/// `multiprocessing.Process`.
final class ProcessObject: LuaObject {
    static let typeName = "Process"

    /// Registry references of the function and of its arguments table.
    let target: Int32
    let arguments: Int32?
    var name: String
    var daemon: Bool
    /// Where the child will sit in the tree of processes (see
    /// ``ProcessIdentity/path``).
    let path: [Int]
    /// The process that created the object: only it may start, join or
    /// signal the child.
    let creator = getpid()
    /// The child, once started.
    var child: ForkedProcess?
    /// `close()` was called.
    var closed = false
    /// A reference to the object itself while its child runs, so that a
    /// running child's object is not collected (Python keeps the set of
    /// its children alike) and `active_children()` can return it.
    private var selfReference: Int32?

    /// The most arguments a target can be called with.
    static let argumentLimit = PoolItems.argumentLimit

    /// Started and not yet seen to end, in the order they started.
    nonisolated(unsafe) static var running: [ProcessObject] = []

    init(target: Int32, arguments: Int32?, name: String?, daemon: Bool) {
        let next = ProcessIdentity.current.nextProcess()
        (self.target, self.arguments, self.path) = (target, arguments, next.path)
        self.name = name ?? next.name
        self.daemon = daemon
    }

    func push(onto lua: LuaState) {
        push(onto: lua, methods: ProcessObject.methods, metamethods: [("__tostring", processToString)],
             properties: processProperty, assign: processAssign)
    }

    func finalize(_ lua: LuaState) {
        luaL_unref(lua.L, LuaState.registryIndex, target)
        if let arguments { luaL_unref(lua.L, LuaState.registryIndex, arguments) }
    }

    /// Whether the child has ended, reaping it (and letting the object be
    /// collected) when it has.
    func hasEnded(_ lua: LuaState) -> Bool {
        guard let child, child.poll() else { return false }
        if let reference = selfReference {
            luaL_unref(lua.L, LuaState.registryIndex, reference)
            selfReference = nil
            ProcessObject.running.removeAll { $0 === self }
        }
        return true
    }

    /// Pushes the object (nil once its child was seen to end).
    func pushSelf(_ lua: LuaState) {
        if let selfReference {
            lua.rawGet(lua_Integer(selfReference), of: LuaState.registryIndex)
        } else {
            lua.pushNil()
        }
    }

    /// Forks the child. The object is at `object` on the stack.
    func start(_ lua: LuaState, object: Int32) throws(SystemError) {
        let identity = ProcessIdentity.current.child(named: name, isWorker: false, path: path)
        let (target, arguments, name) = (self.target, self.arguments, self.name)
        child = try ForkedProcess.start(lua, daemon: daemon) {
            ProcessIdentity.current = identity
            ProcessObject.running.removeAll()
            return runTarget(lua, target: target, arguments: arguments, name: name)
        }
        lua.pushValue(at: object)
        selfReference = luaL_ref(lua.L, LuaState.registryIndex)
        ProcessObject.running.append(self)
    }

    /// `Process(Process-1, pid 4122, running)`
    var description: String {
        guard let child else { return "Process(\(name), \(closed ? "closed" : "not started"))" }
        var text = "Process(\(name), pid \(child.pid)"
        switch child.exit {
        case nil: text += ", running"
        case .exited(let code)?: text += ", exitcode \(code)"
        case .signaled(let sig)?: text += ", exitcode \(-sig) (\(WorkerExit.signalName(sig)))"
        }
        if daemon { text += ", daemon" }
        return text + ")"
    }
}

/// The child's whole life: `target(table.unpack(args, 1, args.n or #args))`
/// in a thread of its own (so a traceback ends at the target), an error
/// printed under a `Process Process-1:` header with exit status 1, then
/// the child's own children are waited for, as Python's
/// `Process._bootstrap` does.
private func runTarget(_ lua: LuaState, target: Int32, arguments: Int32?, name: String) -> Int32 {
    let thread = lua.newThread()
    thread.ensureStack(8)
    thread.rawGet(lua_Integer(target), of: LuaState.registryIndex)
    var count: Int32 = 0
    if let arguments {
        thread.rawGet(lua_Integer(arguments), of: LuaState.registryIndex)
        let table = thread.top
        let n = argumentCount(thread, at: table)
        guard n < Int(Int32.max) - 8, thread.ensureStack(Int32(n) + 8) else {
            writeProcessError(name, "too many results to unpack")
            return 1
        }
        for i in 0..<n { thread.rawGet(lua_Integer(i + 1), of: table) }
        thread.remove(at: table)
        count = Int32(n)
    }
    var status: Int32 = 0
    do {
        try thread.call(arguments: count, results: 0)
    } catch {
        if case .string(let text) = error.value, text == Array(LuaInterrupt.message.utf8) {
            // Ctrl-C reached a pool call of the child: end quietly, as a
            // child Ctrl-C stops anywhere else does.
            endChildren()
            signal(SIGINT, SIG_DFL)
            raise(SIGINT)
        }
        writeProcessError(name, error.description)
        status = 1
    }
    endChildren()
    return status
}

/// Before a child leaves: its pool workers leave and its own children
/// are waited for, as at the host's exit.
private func endChildren() {
    ExitPath.run()
}

/// `args.n` when it is a non-negative integer (read raw), else the raw
/// length.
func argumentCount(_ lua: LuaState, at table: Int32) -> Int {
    lua.push("n")
    lua_rawget(lua.L, table)
    defer { lua.pop() }
    if let n = integerValue(lua, at: -1), n >= 0, lua.type(at: -1) == .number { return Int(n) }
    return lua.rawLength(at: table)
}

private func writeProcessError(_ name: String, _ text: String) {
    fflush(stdout)
    fputs("Process \(name):\n\(text)\n", stderr)
    fflush(stderr)
}
