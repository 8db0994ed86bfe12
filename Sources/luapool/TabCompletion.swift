import CEdit
import Glibc
import LuaPool

/// The Tab key in the REPL: completes the Lua name before the cursor
/// (globals, keywords, fields after `.`, methods after `:`). One match is
/// inserted; several insert what they share, and when they share no
/// more than what is typed they are listed under the line. Tab at the
/// start of a line or after a blank indents by two spaces.
enum TabCompletion {
    nonisolated(unsafe) static var lua: LuaState?

    /// The libedit command bound to Tab.
    static let command: cedit_command_fn = { editor, _ in
        guard let editor, let lua = TabCompletion.lua, let info = el_line(editor) else {
            return UInt8(CC_ERROR)
        }
        let count = info.pointee.cursor - info.pointee.buffer
        let before = String(decoding: UnsafeRawBufferPointer(start: info.pointee.buffer, count: count), as: UTF8.self)
        return TabCompletion.complete(before, editor: editor, lua: lua)
    }

    private static func complete(_ before: String, editor: OpaquePointer, lua: LuaState) -> UInt8 {
        // Pasted (inside a bracketed paste, or with more input already
        // there): a Tab is text.
        if TerminalPaste.active || TerminalPaste.inputIsPending {
            el_insertstr(editor, "\t")
            return UInt8(CC_REFRESH)
        }
        if before.isEmpty || before.last == " " || before.last == "\t" {
            el_insertstr(editor, "  ")
            return UInt8(CC_REFRESH)
        }
        let found = lua.completions(for: before)
        guard !found.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let shared = commonPrefix(found.candidates)
        if shared.utf8.count > found.word.utf8.count {
            el_insertstr(editor, String(decoding: shared.utf8.dropFirst(found.word.utf8.count), as: UTF8.self))
            return UInt8(CC_REFRESH)
        }
        if found.candidates.count == 1 { return UInt8(CC_REFRESH) }
        list(found.candidates)
        return UInt8(CC_REDISPLAY)
    }

    static func commonPrefix(_ names: [String]) -> String {
        guard var shared = names.first.map({ Array($0.utf8) }) else { return "" }
        for name in names.dropFirst() {
            let bytes = Array(name.utf8)
            var n = 0
            while n < shared.count, n < bytes.count, shared[n] == bytes[n] { n += 1 }
            shared.removeLast(shared.count - n)
        }
        return String(decoding: shared, as: UTF8.self)
    }

    /// Prints the names in columns across the terminal, under the line.
    private static func list(_ names: [String]) {
        let width = (names.map(\.utf8.count).max() ?? 0) + 2
        let perLine = max(1, terminalWidth() / width)
        var text = "\n"
        for (i, name) in names.enumerated() {
            let last = i % perLine == perLine - 1 || i == names.count - 1
            text += last ? name + "\n" : name + String(repeating: " ", count: width - name.utf8.count)
        }
        writeOut(text)
        fflush(stdout)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
