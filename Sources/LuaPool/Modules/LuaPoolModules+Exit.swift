import CLua
import Glibc

// `os.exit([code [, close]])`, as Lua's own (`os_exit` in loslib.c), but
// through the host's one exit path first: the pools' workers flush and
// leave, `Process` children end (ExitPath). Then, with `close`, the state
// is closed, finalizers and all, except in a forked child, which never
// closes the state it inherited.

extension LuaPoolModules {
    /// Replaces `os.exit` in `lua`, whose `os` library must be open.
    static func replaceExit(_ lua: LuaState) {
        let base = lua.top
        defer { lua.top = base }
        guard lua.getGlobal("os") == .table else { return }
        lua.pushFunction(exitFunction)
        lua.setField("exit", of: -2)
    }
}

private let exitFunction: LuaSwiftFunction = { L in
    guard let L else { return 0 }
    let lua = LuaState(borrowing: L)
    let status: Int32
    if lua.type(at: 1) == .boolean {
        status = lua.toBool(at: 1) ? EXIT_SUCCESS : EXIT_FAILURE
    } else if lua.type(at: 1) == .none || lua.type(at: 1) == .nil {
        status = EXIT_SUCCESS
    } else {
        var isInteger: Int32 = 0
        let code = lua_tointegerx(L, 1, &isInteger)
        guard isInteger != 0 else {
            if lua_isnumber(L, 1) != 0 { return lua.argumentError(1, "number has no integer representation") }
            return lua.typeError(1, expected: "number")
        }
        status = Int32(truncatingIfNeeded: code)
    }
    let close = lua.toBool(at: 2)
    ExitPath.run()
    if close && ProcessIdentity.current.parent == nil { lua_close(L) }
    exit(status)
}
