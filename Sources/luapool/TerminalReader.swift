import CEdit
import Glibc

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

/// The next byte of standard input, or nil at its end or on Ctrl-C.
private func nextInputByte() -> UInt8? {
    var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
               pollfd(fd: PromptInterrupt.pipe.read, events: Int16(POLLIN), revents: 0)]
    while PromptInterrupt.raised == 0 {
        if poll(&fds, nfds_t(fds.count), -1) < 0 {
            if errno == EINTR { continue }
            return nil
        }
        guard fds[0].revents != 0 else { continue }
        var byte: UInt8 = 0
        let count = read(0, &byte, 1)
        if count == 1 { return byte }
        if count < 0, errno == EINTR || errno == EAGAIN { continue }
        return nil
    }
    return nil
}
