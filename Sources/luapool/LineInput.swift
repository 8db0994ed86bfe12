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
    /// Reads one line, without its newline, showing `prompt`.
    func readLine(prompt: String) -> LineRead
    /// Records a whole chunk, once it is read, in the history (if any).
    func remember(_ chunk: String)
}

/// Lines from standard input with `getline`: no editing, no history. The
/// prompt is printed; with `echo` (standard input is not a terminal) the
/// line read is printed after it, as lua5.4 (built with readline) does.
final class PlainInput: LineInput {
    let echo: Bool

    init(echo: Bool) {
        self.echo = echo
    }

    func readLine(prompt: String) -> LineRead {
        writeOut(prompt)
        fflush(stdout)
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        let count = getline(&buffer, &capacity, stdin)
        guard count >= 0, let buffer else { return .end }
        var length = count
        if length > 0, buffer[length - 1] == 0x0A { length -= 1 }
        let line = UnsafeRawBufferPointer(start: buffer, count: length)
        if echo {
            _ = fwrite(line.baseAddress, 1, length, stdout)
            writeOut("\n")
        }
        return .line(String(decoding: line, as: UTF8.self))
    }

    func remember(_ chunk: String) {}
}
