/// What a script under `Tests/lua` must do, read from its `NAME.expect`.
///
/// The format, one directive a line (see `Tests/lua/README.md`):
///
///     # comment (outside the stdout and stderr sections)
///     args: -e "print(1)" NAME.lua a b   words split shell-style; default: NAME.lua
///     env: NAME=value                    may repeat
///     stdin: one line of input           may repeat, each adds a line
///     stdin-file: other.txt              standard input from a file instead
///     status: 1                          the exit status; default 0
///     known-bug: what is wrong           the case is expected to fail, for that reason
///     stdout:
///     exact lines, up to the next directive or the end of the file
///     stderr:
///     lines where `*` matches any text within one line and a line `...`
///     matches any number of lines
///
/// Inside `stdout:` and `stderr:` every line is literal except a line that
/// starts a directive (`args:`, `env:`, `stdin:`, `stdin-file:`, `status:`,
/// `known-bug:`, `stdout:`, `stderr:`, each followed by a blank or the end
/// of the line), which ends the section: `stdin:1: oops` is output. No stdout
/// section means no output; no stderr section means stderr must be empty.
struct Expectation: Equatable {
    var arguments: [String]?
    var environment: [String: String] = [:]
    var stdinLines: [String] = []
    var stdinFile: String?
    var status: Int32 = 0
    var knownBug: String?
    var stdout: [String] = []
    var stderr: [String] = []

    struct ParseError: Error, CustomStringConvertible, Equatable {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    static let directives = ["args", "env", "stdin", "stdin-file", "status", "known-bug", "stdout", "stderr"]

    /// The standard output expected, as bytes: each line ends with "\n".
    var stdoutText: String {
        stdout.map { $0 + "\n" }.joined()
    }

    init() {}

    init(parsing text: String) throws(ParseError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var section: WritableKeyPath<Expectation, [String]>? = nil
        for (number, line) in zip(1..., lines) {
            if let (name, value) = Expectation.directive(in: line) {
                section = nil
                switch name {
                case "stdout", "stderr":
                    guard value.isEmpty else {
                        throw ParseError(line: number, message: "nothing may follow '\(name):' on its line")
                    }
                    section = name == "stdout" ? \.stdout : \.stderr
                default:
                    try apply(name, value, line: number)
                }
            } else if let section {
                self[keyPath: section].append(line)
            } else if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) {
                continue
            } else {
                throw ParseError(line: number, message: "not a directive: \(line)")
            }
        }
    }

    private mutating func apply(_ name: String, _ value: String, line: Int) throws(ParseError) {
        switch name {
        case "args":
            do { arguments = try shellWords(value) } catch {
                throw ParseError(line: line, message: "args: \(error.message)")
            }
        case "env":
            guard let eq = value.firstIndex(of: "="), eq != value.startIndex else {
                throw ParseError(line: line, message: "env: NAME=value expected")
            }
            environment[String(value[..<eq])] = String(value[value.index(after: eq)...])
        case "stdin":
            stdinLines.append(value)
        case "stdin-file":
            stdinFile = value
        case "status":
            guard let n = Int32(value) else {
                throw ParseError(line: line, message: "status: a number expected")
            }
            status = n
        default:  // known-bug
            knownBug = value
        }
    }

    /// (name, value) when `line` is `name:` or `name: value` for a known
    /// directive; `stdin:1: oops` (no blank after the colon) is not one.
    private static func directive(in line: String) -> (String, String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = String(line[..<colon])
        guard directives.contains(name) else { return nil }
        let value = line[line.index(after: colon)...]
        guard value.isEmpty || value.first == " " else { return nil }
        return (name, String(value.dropFirst()))
    }
}

struct ShellWordsError: Error, Equatable {
    let message: String
}

/// Splits `text` into words as a POSIX shell would, without expansions:
/// blanks separate words, '...' keeps everything literally, "..." keeps
/// everything but `\"` and `\\`, and a backslash outside quotes escapes
/// the next character. `''` and `""` make empty words.
func shellWords(_ text: String) throws(ShellWordsError) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var characters = text.makeIterator()
    while let c = characters.next() {
        switch c {
        case " ", "\t":
            if inWord { words.append(word); word = ""; inWord = false }
        case "'":
            inWord = true
            while true {
                guard let q = characters.next() else { throw ShellWordsError(message: "unterminated '") }
                if q == "'" { break }
                word.append(q)
            }
        case "\"":
            inWord = true
            while true {
                guard let q = characters.next() else { throw ShellWordsError(message: "unterminated \"") }
                if q == "\"" { break }
                if q == "\\" {
                    guard let escaped = characters.next() else { throw ShellWordsError(message: "unterminated \"") }
                    if escaped != "\"" && escaped != "\\" { word.append("\\") }
                    word.append(escaped)
                } else {
                    word.append(q)
                }
            }
        case "\\":
            guard let escaped = characters.next() else { throw ShellWordsError(message: "trailing \\") }
            inWord = true
            word.append(escaped)
        default:
            inWord = true
            word.append(c)
        }
    }
    if inWord { words.append(word) }
    return words
}
