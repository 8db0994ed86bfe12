import CLua
import Glibc
import LuaPool

/// The read-eval-print loop of lua.c: a line is first tried as
/// `return <line>` so expressions print; a chunk whose syntax error ends
/// at `<eof>` continues on the next line.
///
/// On a terminal, lines come through libedit (``LineEditor``) and results
/// are shown as values (``LuaState/showValues(from:)``: strings quoted,
/// tables pretty-printed). Otherwise lines are read as lua5.4 reads them
/// there: the prompt is printed and the line echoed after it, and results
/// print as `print` prints them. The prompts are `_PROMPT` and `_PROMPT2`
/// when set (through `tostring`), else `> ` and `>> `.
struct REPL {
    let lua: LuaState
    let input: LineInput
    /// Results shown as values (on a terminal) rather than with `print`.
    let showsValues: Bool

    init(lua: LuaState) {
        self.lua = lua
        let terminal = isatty(0) != 0
        self.showsValues = terminal
        self.input = (terminal ? LineEditor(lua: lua) : nil) ?? PlainInput(echo: !terminal)
    }

    /// What reading a chunk gave.
    private enum Chunk {
        /// Loaded: the function is on the stack.
        case loaded
        case failed(LuaError)
        case cancelled
        case end
    }

    /// Runs until the input ends. Throws an error raised making a prompt
    /// (a `_PROMPT` whose `__tostring` fails), which ends the REPL as it
    /// ends lua.c's.
    func run() throws(LuaError) {
        loop: while true {
            switch try readChunk() {
            case .loaded: evaluate()
            case .failed(let error): reportMessage(error.description, name: nil)
            case .cancelled: break
            case .end: break loop
            }
            lua.top = 0
        }
        lua.top = 0
        writeOut("\n")
        fflush(stdout)
    }

    /// `_PROMPT` (or `_PROMPT2`) through `tostring`, else the default, as
    /// lua.c's `get_prompt`.
    private func prompt(firstLine: Bool) throws(LuaError) -> String {
        let base = lua.top
        defer { lua.top = base }
        guard lua.getGlobal(firstLine ? "_PROMPT" : "_PROMPT2") != .nil else { return firstLine ? "> " : ">> " }
        lua.getGlobal("tostring")
        lua.insert(at: -2)
        try lua.call(arguments: 1, results: 1)
        return lua.toString(at: -1) ?? (firstLine ? "> " : ">> ")
    }

    /// Runs the loaded chunk with Ctrl-C armed and shows its results.
    private func evaluate() {
        let base = lua.top - 1
        LuaInterrupt.arm(lua)
        defer { LuaInterrupt.disarm() }
        do {
            try lua.callAsChunk(arguments: 0, results: LuaState.multipleResults)
            if showsValues {
                try showResults(from: base + 1)
            } else {
                printResults(from: base + 1)
            }
        } catch {
            reportMessage(error.description, name: nil)
        }
    }

    /// Reads and loads one chunk, pushing it as a function, and records its
    /// text in the history.
    private func readChunk() throws(LuaError) -> Chunk {
        let text: String
        switch input.readLine(prompt: try prompt(firstLine: true)) {
        case .line(let line): text = line
        case .cancelled: return .cancelled
        case .end: return .end
        }
        // Lua 5.4.4's lua.c still reads `= expr` as `return expr`.
        let line = text.hasPrefix("=") ? "return " + text.dropFirst() : text
        if (try? lua.load("return " + line, name: "=stdin")) != nil {
            input.remember(text)
            return .loaded
        }
        return try readRest(of: line, text: text)
    }

    /// Loads `line` as a statement, reading more lines while it is
    /// incomplete.
    private func readRest(of line: String, text: String) throws(LuaError) -> Chunk {
        var (line, text) = (line, text)
        while true {
            do {
                try lua.load(line, name: "=stdin")
                input.remember(text)
                return .loaded
            } catch where isIncomplete(error) {
                switch input.readLine(prompt: try prompt(firstLine: false)) {
                case .line(let more):
                    line += "\n" + more
                    text += "\n" + more
                case .cancelled:
                    return .cancelled
                case .end:
                    input.remember(text)
                    return .failed(error)
                }
            } catch {
                input.remember(text)
                return .failed(error)
            }
        }
    }

    private func isIncomplete(_ error: LuaError) -> Bool {
        error.kind == .syntax && error.message.hasSuffix("<eof>")
    }

    /// Writes the values from `first` to the top as values, on one line.
    private func showResults(from first: Int32) throws(LuaError) {
        guard lua.top >= first else { return }
        let text = try lua.showValues(from: first)
        text.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
        writeOut("\n")
        fflush(stdout)
    }

    /// Prints the values from `first` to the top with the global `print`.
    private func printResults(from first: Int32) {
        let count = lua.top - first + 1
        guard count > 0 else { return }
        lua.getGlobal("print")
        lua.insert(at: first)
        do {
            try lua.call(arguments: count, results: 0)
        } catch {
            reportMessage("error calling 'print' (\(error.message))", name: nil)
        }
    }
}
