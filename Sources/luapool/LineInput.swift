import Glibc

/// What reading a line gave.
enum LineRead: Equatable {
    case line(String)
    /// Ctrl-C at the prompt: the line (and any unfinished chunk) is dropped.
    case cancelled
    /// End of input: Ctrl-D on an empty line, or the end of a file.
    case end
}

/// Where the REPL's lines come from.
protocol LineInput: AnyObject {
    /// Reads one line, without its newline, showing `prompt` if this input
    /// shows prompts.
    func readLine(prompt: String) -> LineRead
    /// Records a whole chunk, once it is read, in the history (if any).
    func remember(_ chunk: String)
}

/// Lines from standard input with `getline`: no editing, no history, a
/// prompt only when `prompts` (standard input is a terminal but libedit
/// could not start).
final class PlainInput: LineInput {
    let prompts: Bool

    init(prompts: Bool) {
        self.prompts = prompts
    }

    func readLine(prompt: String) -> LineRead {
        if prompts { writeOut(prompt) }
        fflush(stdout)
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        let count = getline(&buffer, &capacity, stdin)
        guard count >= 0, let buffer else { return .end }
        var length = count
        if length > 0, buffer[length - 1] == 0x0A { length -= 1 }
        return .line(String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self))
    }

    func remember(_ chunk: String) {}
}
