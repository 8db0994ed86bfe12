import CEdit
import Glibc
import LuaPool

/// Lines from a terminal through libedit: emacs keys, arrows through the
/// history, Ctrl-R to search it, Tab to complete (``TabCompletion``);
/// Ctrl-C drops the line, Ctrl-D on an empty line ends the input. The
/// history is kept in a ``HistoryFile``. `~/.editrc` is read, as other
/// libedit programs read it.
final class LineEditor: LineInput {
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()
    private let file: HistoryFile?

    /// Nil when libedit cannot start (the caller falls back to plain input).
    init?(lua: LuaState) {
        // libedit reads the character set when it starts, and decodes and
        // encodes with the locale of the moment: it gets the user's
        // LC_CTYPE while it runs and Lua keeps "C" (see ``withUserLocale``).
        guard let history = history_init() else { return nil }
        guard let editor = LineEditor.withUserLocale({ el_init("luapool", stdin, stdout, stderr) }) else {
            history_end(history)
            return nil
        }
        self.editor = editor
        self.history = history
        self.file = HistoryFile.fromEnvironment()
        configure(lua: lua)
    }

    deinit {
        PromptInterrupt.remove()
        TabCompletion.lua = nil
        el_end(editor)
        history_end(history)
    }

    private func configure(lua: LuaState) {
        _ = cedit_history_set_size(history, &event, HistoryFile.limit)
        _ = cedit_history_set_unique(history, &event, 1)
        file?.load(into: history, event: &event)
        _ = cedit_set_editor(editor, "emacs")
        _ = cedit_set_prompt(editor, currentPrompt)
        _ = cedit_set_history(editor, history)
        _ = cedit_set_getc(editor, readTerminalCharacter)
        TabCompletion.lua = lua
        _ = cedit_add_function(editor, "luapool-complete", "complete a Lua name", TabCompletion.command)
        _ = cedit_bind(editor, "^I", "luapool-complete")
        _ = cedit_bind(editor, "^R", "em-inc-search-prev")
        _ = el_source(editor, nil)
        PromptInterrupt.install()
    }

    func readLine(prompt: String) -> LineRead {
        PromptInterrupt.reset()
        free(promptText)
        promptText = strdup(prompt)
        var count: Int32 = 0
        LineEditor.stopLineDiscipline()
        TerminalPaste.enable()
        let line = LineEditor.withUserLocale { el_gets(editor, &count) }
        TerminalPaste.disable()
        TerminalPaste.active = false
        if PromptInterrupt.raised != 0 {
            writeOut("^C\n")
            fflush(stdout)
            return .cancelled
        }
        guard let line, count > 0 else { return .end }
        var bytes = UnsafeRawBufferPointer(start: line, count: Int(count))
        if bytes.last == 0x0A { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
        return .line(String(decoding: bytes, as: UTF8.self))
    }

    /// Adds a chunk to the history and appends it to the file; blank
    /// chunks are not kept.
    func remember(_ chunk: String) {
        guard chunk.contains(where: { !$0.isWhitespace }) else { return }
        _ = cedit_history_enter(history, &event, chunk)
        file?.append(chunk)
    }

    /// Turns off the terminal's own line editing and echo before libedit
    /// prints its prompt: libedit does so only when it first reads, so keys
    /// typed right after the prompt appeared would be echoed twice and a
    /// Ctrl-D among them read by the terminal as its end-of-file. libedit
    /// restores the terminal's modes when the line is done (it keeps the
    /// modes it saw last with `ICANON` on).
    private static func stopLineDiscipline() {
        var modes = termios()
        guard tcgetattr(0, &modes) == 0, modes.c_lflag & tcflag_t(ICANON) != 0 else { return }
        modes.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSADRAIN, &modes)
    }

    private static func withUserLocale<R>(_ body: () -> R) -> R {
        setlocale(LC_CTYPE, "")
        defer { setlocale(LC_CTYPE, "C") }
        return body()
    }
}

nonisolated(unsafe) private var promptText = strdup("> ")

private let currentPrompt: cedit_prompt_fn = { _ in promptText }
