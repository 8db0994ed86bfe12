import CLua
import Glibc
import LuaPool

/// The read-eval-print loop of lua.c: a line is first tried as
/// `return <line>` so expressions print; a chunk whose syntax error ends
/// at `<eof>` continues on the next line. Prompts show only when standard
/// input is a terminal, so `luapool -i < file` is scriptable.
struct REPL {
    let lua: LuaState
    let prompts = isatty(0) != 0

    func run() {
        while let chunkLoaded = readChunk() {
            do {
                try chunkLoaded.get()
                let base = lua.top - 1
                LuaInterrupt.arm(lua)
                defer { LuaInterrupt.disarm() }
                try lua.call(arguments: 0, results: LuaState.multipleResults)
                printResults(from: base + 1)
            } catch {
                reportMessage(error.description, name: nil)
            }
            lua.top = 0
        }
        lua.top = 0
        if prompts { writeOut("\n") }
        fflush(stdout)
    }

    /// Reads and loads one chunk, pushing it as a function. Nil at the end
    /// of input.
    private func readChunk() -> Result<Void, LuaError>? {
        guard var line = readLine(prompt: "> ") else { return nil }
        if line.hasPrefix("=") {
            // Lua 5.4.4's lua.c still reads `= expr` as `return expr`.
            line = "return " + line.dropFirst()
        }
        if (try? lua.load("return " + line, name: "=stdin")) != nil {
            return .success(())
        }
        while true {
            do {
                try lua.load(line, name: "=stdin")
                return .success(())
            } catch where isIncomplete(error) {
                guard let more = readLine(prompt: ">> ") else { return .failure(error) }
                line += "\n" + more
            } catch {
                return .failure(error)
            }
        }
    }

    private func isIncomplete(_ error: LuaError) -> Bool {
        error.kind == .syntax && error.message.hasSuffix("<eof>")
    }

    private func readLine(prompt: String) -> String? {
        if prompts {
            writeOut(prompt)
        }
        fflush(stdout)
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        let count = getline(&buffer, &capacity, stdin)
        guard count >= 0, let buffer else { return nil }
        var length = count
        if length > 0, buffer[length - 1] == 0x0A { length -= 1 }
        return String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
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
