import CEdit
import Glibc
import LuaPool

/// libedit's character reader for the REPL: waits in `poll(2)` on
/// standard input and the Ctrl-C pipe, and decodes the bytes of one
/// character in the current locale. Ctrl-C makes it fail (-1), which ends
/// `el_gets` with no line; end of input gives 0.
let readTerminalCharacter: el_rfunc_t = { _, character in
    var state = mbstate_t()
    while true {
        guard let byte = nextInputByte() else {
            errno = EINTR
            return PromptInterrupt.raised != 0 ? -1 : 0
        }
        var char = CChar(bitPattern: byte)
        var wide: wchar_t = 0
        let used = mbrtowc(&wide, &char, 1, &state)
        if used == -2 { continue }  // more bytes to come
        if used == -1 { wide = wchar_t(byte) }  // not in the locale: as it is
        character?.pointee = wide
        return 1
    }
}

/// Pasted text on the terminal: the terminal wraps it in the bracketed
/// paste marks (`ESC [ 200 ~` ... `ESC [ 201 ~`) once the REPL asks for
/// them; the reader drops the marks and says when a paste is going on, so
/// that Tab inside it is text.
enum TerminalPaste {
    /// Inside a bracketed paste.
    nonisolated(unsafe) static var active = false
    /// Bytes read ahead while looking for a mark, not handed out yet.
    nonisolated(unsafe) static var pending: [UInt8] = []

    static let start: [UInt8] = Array("\u{1b}[200~".utf8)
    static let end: [UInt8] = Array("\u{1b}[201~".utf8)

    /// Asks the terminal to mark pasted text (terminals without bracketed
    /// paste ignore it).
    static func enable() { writeOut("\u{1b}[?2004h"); fflush(stdout) }
    static func disable() { writeOut("\u{1b}[?2004l"); fflush(stdout) }

    /// Whether more input is already there: a Tab followed by more text
    /// was pasted, not typed.
    static var inputIsPending: Bool {
        if !pending.isEmpty { return true }
        var entry = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLIN) != 0
    }
}

/// The next byte of standard input, without the paste marks, or nil at
/// its end or on Ctrl-C.
private func nextInputByte() -> UInt8? {
    while true {
        if !TerminalPaste.pending.isEmpty { return TerminalPaste.pending.removeFirst() }
        guard let byte = readInputByte() else { return nil }
        guard byte == 0x1B else { return byte }
        // A mark comes whole: read what follows it at once, if anything.
        var seen: [UInt8] = [byte]
        while seen.count < TerminalPaste.start.count, TerminalPaste.start.starts(with: seen) || TerminalPaste.end.starts(with: seen) {
            var entry = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 20) > 0, let next = readInputByte() else { break }
            seen.append(next)
        }
        if seen == TerminalPaste.start { TerminalPaste.active = true; continue }
        if seen == TerminalPaste.end { TerminalPaste.active = false; continue }
        TerminalPaste.pending = Array(seen.dropFirst())
        return byte
    }
}

/// The next byte of standard input, or nil at its end or on Ctrl-C.
private func readInputByte() -> UInt8? {
    var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
               pollfd(fd: PromptInterrupt.pipe.read, events: Int16(POLLIN), revents: 0)]
    while PromptInterrupt.raised == 0 {
        if poll(&fds, nfds_t(fds.count), -1) < 0 {
            if errno == EINTR { continue }
            return nil
        }
        guard fds[0].revents != 0 else { continue }
        var byte: UInt8 = 0
        let count = read(terminalInput, &byte, 1)
        if count == 1 { return byte }
        if count < 0, errno == EINTR || errno == EAGAIN { continue }
        return nil
    }
    return nil
}

/// Where ``readInputByte()`` reads: the terminal of standard input opened
/// again, non-blocking (standard input itself stays as the shell left
/// it). Ctrl-C empties the terminal's input as it raises SIGINT: between
/// `poll` saying there is a byte and the `read`, the byte can be gone and
/// the signal handled already, and a blocking `read` would then wait for
/// the next key. Standard input itself when the terminal cannot be opened.
private let terminalInput: Int32 = {
    guard let name = ttyname(0) else { return 0 }
    let fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return 0 }
    Fork.hostDescriptors.insert(fd)
    return fd
}()
