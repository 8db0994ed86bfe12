import Glibc
import LuaPool

/// Ctrl-C while the REPL waits at its prompt on a terminal: SIGINT sets a
/// flag and writes a byte to a pipe that the line reader polls beside
/// standard input, so the wait wakes at once. Installed for the whole
/// REPL; a running chunk arms ``LuaInterrupt`` over it and restores it.
enum PromptInterrupt {
    nonisolated(unsafe) static var pipe: (read: Int32, write: Int32) = (-1, -1)
    nonisolated(unsafe) static var raised: sig_atomic_t = 0
    nonisolated(unsafe) private static var previous = sigaction()

    /// Creates the pipe (non-blocking, never inherited by workers) and
    /// installs the handler.
    static func install() {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { return }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            Fork.hostDescriptors.insert(fd)
        }
        pipe = (fds[0], fds[1])
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            PromptInterrupt.raised = 1
            var byte: UInt8 = 1
            _ = Glibc.write(PromptInterrupt.pipe.write, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, &previous)
    }

    /// Restores the handler that was there before and closes the pipe.
    static func remove() {
        sigaction(SIGINT, &previous, nil)
        for fd in [pipe.read, pipe.write] where fd >= 0 {
            Fork.hostDescriptors.remove(fd)
            close(fd)
        }
        pipe = (-1, -1)
    }

    /// Forgets a Ctrl-C that landed while no line was being read.
    static func reset() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while pipe.read >= 0, read(pipe.read, &scratch, scratch.count) > 0 {}
        raised = 0
    }
}
