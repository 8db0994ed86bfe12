import CLua
import Glibc
import LuaPool

/// What lua.c's `pmain` does, run inside a protected call so that even the
/// set-up code's errors are reported: read the options, open the
/// libraries, build `arg`, honour LUA_INIT, run -e/-l/-W, the script, and
/// the REPL or standard input.
final class Interpreter {
    let lua: LuaState
    let argv: [String]
    /// Set by `run` once everything ran without error.
    private(set) var succeeded = false
    /// An error was Ctrl-C's `interrupted`: the exit status is 130, as a
    /// shell reports a command that SIGINT ended.
    private(set) var interrupted = false

    init(lua: LuaState, argv: [String]) {
        self.lua = lua
        self.argv = argv
    }

    /// Runs the whole command line and returns the process exit status.
    func main() -> Int32 {
        lua.pushFunction(interpreterMain)
        lua.push(lightUserdata: Unmanaged.passUnretained(self).toOpaque())
        do {
            try lua.call(arguments: 1, results: 0)
        } catch {
            reportMessage(error.description)
        }
        if interrupted { return 128 + SIGINT }
        return succeeded ? EXIT_SUCCESS : EXIT_FAILURE
    }

    /// The body of the protected call.
    fileprivate func run() {
        let options: Options
        do {
            options = try Options.parse(argv)
        } catch {
            reportMessage(error.message)
            writeError(usageText)
            return
        }
        if options.help {
            writeOut(helpText)
            succeeded = true
            return
        }
        succeeded = runOptions(options)
    }

    private func runOptions(_ options: Options) -> Bool {
        let terminal = isatty(0) != 0
        let interactive = options.interactive
            || (terminal && options.script == nil && !options.hasExecute && !options.showVersion)
        // -i implies -v, as in lua.c.
        if options.showVersion || options.interactive { printVersion() }
        if options.ignoreEnvironment {
            lua.push(true)
            lua.setRegistry("LUA_NOENV")
        }
        lua.openLibraries()
        LuaPoolModules.open(lua)
        if interactive { lua.prepareREPLHelpers() }
        createArgTable(script: options.script)
        clua_gc(lua.L, LUA_GCRESTART)
        clua_gc_generational(lua.L)
        if let workers = options.workers { DefaultPoolSize.set(workers, in: lua) }
        if let seed = options.seed { DefaultPoolSize.setSeed(seed, in: lua) }
        ScriptDefaults.progress = options.progress
        ScriptDefaults.readsEnvironment = !options.ignoreEnvironment
        if !options.ignoreEnvironment, !runLuaInit() { return false }
        for action in options.actions where !run(action) { return false }
        if let script = options.script, !runScript(at: script) { return false }
        if options.interactive {
            return report { try REPL(lua: lua).run() }
        } else if options.script == nil, !options.hasExecute, !options.showVersion {
            if terminal {
                printVersion()
                return report { try REPL(lua: lua).run() }
            } else {
                return runFile(nil)
            }
        }
        return true
    }

    /// `arg`: the script at index 0, its arguments after it, the
    /// interpreter and its options at negative indices. Without a script
    /// the interpreter's name is index 0.
    private func createArgTable(script: Int?) {
        let base = script ?? 0
        lua.newTable(array: Int32(argv.count - base - 1), hash: Int32(base + 1))
        for (i, text) in argv.enumerated() {
            lua.push(text)
            lua.rawSet(lua_Integer(i - base), of: -2)
        }
        lua.setGlobal("arg")
    }

    private func run(_ action: Options.Action) -> Bool {
        switch action {
        case .execute(let code):
            return runString(code, name: "=(command line)")
        case .library(let spec):
            return requireLibrary(spec)
        case .warningsOn:
            lua_warning(lua.L, "@on", 0)
            return true
        }
    }

    /// `LUA_INIT_5_4`, else `LUA_INIT`: `@file` runs a file, anything else
    /// runs as code.
    private func runLuaInit() -> Bool {
        var name = "LUA_INIT_5_4"
        var value = getenv(name)
        if value == nil {
            name = "LUA_INIT"
            value = getenv(name)
        }
        guard let value else { return true }
        let code = String(cString: value)
        if code.hasPrefix("@") { return runFile(String(code.dropFirst())) }
        return runString(code, name: "=" + name)
    }

    /// `-l g=mod` runs `g = require "mod"`; `-l mod` runs
    /// `mod = require "mod"` (the whole name, `-` included, as Lua 5.4.4's
    /// lua.c does).
    private func requireLibrary(_ spec: String) -> Bool {
        var global = spec
        var module = spec
        if let eq = spec.firstIndex(of: "=") {
            global = String(spec[..<eq])
            module = String(spec[spec.index(after: eq)...])
        }
        lua.getGlobal("require")
        lua.push(module)
        return report {
            try runChunk(arguments: 1, results: 1)
            lua.setGlobal(global)
        }
    }

    private func runScript(at index: Int) -> Bool {
        let name = argv[index]
        let fromStdin = name == "-" && argv[index - 1] != "--"
        return report {
            try lua.loadFile(fromStdin ? nil : name)
            let count = try pushScriptArguments()
            try runChunk(arguments: count, results: LuaState.multipleResults)
        }
    }

    /// Pushes `arg[1]` .. `arg[#arg]`, read back from the global `arg`
    /// (LUA_INIT or -e may have changed it), as lua.c does.
    private func pushScriptArguments() throws(ScriptError) -> Int32 {
        guard lua.getGlobal("arg") == .table else {
            lua.pop()
            throw ScriptError(message: "'arg' is not a table")
        }
        let count = Int32(truncatingIfNeeded: luaL_len(lua.L, -1))
        guard count >= 0, lua.ensureStack(count + 3) else {
            lua.pop()
            throw ScriptError(message: "too many arguments to script")
        }
        for i in stride(from: 1, through: count, by: 1) {
            lua.rawGet(lua_Integer(i), of: -Int32(i))
        }
        lua.remove(at: -Int32(count) - 1)
        return count
    }

    private func runString(_ code: String, name: String) -> Bool {
        report {
            try lua.load(code, name: name)
            try runChunk()
        }
    }

    private func runFile(_ path: String?) -> Bool {
        report {
            try lua.loadFile(path)
            try runChunk()
        }
    }

    /// Calls the loaded chunk with Ctrl-C armed, as lua.c's `docall`.
    func runChunk(arguments: Int32 = 0, results: Int32 = 0) throws(LuaError) {
        LuaInterrupt.arm(lua)
        defer { LuaInterrupt.disarm() }
        try lua.callAsChunk(arguments: arguments, results: results)
    }

    /// Runs `body`, printing any error as lua.c's `report` does.
    private func report(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return true
        } catch let error as LuaError {
            if LuaInterrupt.isInterruption(error.message) { interrupted = true }
            reportMessage(error.description)
        } catch let error as ScriptError {
            reportMessage(error.message)
        } catch {
            reportMessage("\(error)")
        }
        return false
    }
}

/// A failure of the interpreter itself, not of Lua code.
struct ScriptError: Error {
    let message: String
}

private let interpreterMain: LuaSwiftFunction = { L in
    guard let L, let context = lua_touserdata(L, 1) else { return 0 }
    let interpreter = Unmanaged<Interpreter>.fromOpaque(context).takeUnretainedValue()
    lua_settop(L, 0)
    interpreter.run()
    return 0
}
