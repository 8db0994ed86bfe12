import Glibc

/// A short, bounded spin before sleeping. The cost of a synchronous round
/// trip between two processes is the wake-up of a sleeping process on
/// another CPU, not the bytes (DESIGN.md section 5): polling without
/// blocking for some tens of microseconds first answers a quick reply at
/// once, and the bound keeps a spin from stealing a core from real work.
enum Spin {
    /// How long to poll before sleeping.
    static let budgetNanoseconds: Int64 = 50_000

    /// How long ``read(_:into:)`` spins now: the whole budget while the
    /// waits it sees are short (a caller sending call after call), a tenth
    /// of it after a long one (the end of a map, the script busy), so
    /// that a worker does not burn its budget at the end of every call.
    nonisolated(unsafe) private static var readBudget = budgetNanoseconds

    /// Reads what `fd` has, spinning up to the budget, then blocking.
    /// Returns 0 at end of file, nil when the read failed.
    static func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let start = now()
        var spins = 0
        while true {
            let got: Int?
            do { got = try fd.receiveNow(into: buffer) } catch { return nil }
            if let got {
                readBudget = budgetNanoseconds
                return got
            }
            spins += 1
            if spins & 15 == 0 && now() - start > readBudget { break }
        }
        defer {
            // A wait that a full spin would have covered keeps the full
            // spin; a longer one shortens the next.
            readBudget = now() - start <= 2 * budgetNanoseconds ? budgetNanoseconds : budgetNanoseconds / 10
        }
        // Sleep in `poll`, not in `read`: a reader asleep in a Unix
        // socket's `read` is woken each time the other side reads what
        // this one wrote (the kernel wakes the socket's sleepers when its
        // send space grows, and `read` does not ask for which event), so
        // the host reading an answer would wake the worker that sent it
        // for nothing; `poll` waits for input alone.
        var entry = pollfd(fd: fd.raw, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, -1) < 0 && errno == EINTR {}
        do { return try fd.read(into: buffer) ?? 0 } catch { return nil }
    }

    /// Monotonic time in nanoseconds.
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
