import CLua
import Glibc
import LuaPool

guard let lua = LuaState() else {
    reportMessage("cannot create state: not enough memory")
    exit(EXIT_FAILURE)
}
clua_gc(lua.L, LUA_GCSTOP)  // restarted once the libraries are open
let status = Interpreter(lua: lua, argv: CommandLine.arguments).main()
fflush(stdout)
exit(status)
