import Glibc

/// Ctrl-C while the host waits on its workers: SIGINT sets a flag and
/// writes a byte to a pipe that `poll(2)` watches, so the wait wakes at once
/// whenever the signal lands.
enum PoolInterrupt {
    nonisolated(unsafe) static var pipe: (read: FileDescriptor, write: FileDescriptor)?
    nonisolated(unsafe) static var raised: sig_atomic_t = 0
    nonisolated(unsafe) private static var previous = sigaction()

    /// The pipe's read end, created on first use.
    static func descriptor() throws(SystemError) -> FileDescriptor {
        if let pipe { return pipe.read }
        let made = try FileDescriptor.pipe()
        pipe = made
        Fork.hostDescriptors.insert(made.read.raw)
        Fork.hostDescriptors.insert(made.write.raw)
        return made.read
    }

    /// Installs the handler for the length of a wait.
    static func arm() {
        raised = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            PoolInterrupt.raised = 1
            if let fd = PoolInterrupt.pipe?.write.raw {
                var byte: UInt8 = 1
                _ = Glibc.write(fd, &byte, 1)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, &previous)
    }

    /// Restores the handler that was there before ``arm()``, and empties
    /// the pipe if the handler wrote to it (it sets ``raised`` first): a
    /// wait without Ctrl-C makes no read. A byte that came without
    /// ``raised`` (from a child that inherited this handler: luapool's own
    /// children hold SIGINT until they reset it, see ``Fork``, but a C
    /// module's `fork` does not) is drained by the wait that sees it
    /// (``WorkerPool/waitAll(timeout:watching:until:)``).
    static func disarm() {
        sigaction(SIGINT, &previous, nil)
        if raised != 0 { drain() }
    }

    static func drain() {
        guard let fd = pipe?.read else { return }
        var scratch = [UInt8](repeating: 0, count: 64)
        while let n = scratch.withUnsafeMutableBytes({ try? fd.read(into: $0) }) ?? nil, n > 0 {}
    }
}
