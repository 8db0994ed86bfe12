import Foundation
import Glibc

/// A program run as a child process with its output captured: stdin from
/// a file (so it is never a terminal), stdout and stderr through pipes,
/// every signal at its default action, a deadline after which it is
/// killed by pid. The child is always reaped before the handle goes.
///
/// With `newProcessGroup` the child leads a process group of its own (its
/// pgid is its pid), so a test can signal it and everything it forked at
/// once, as a terminal does for Ctrl-C, and `kill()` also ends whatever is
/// left in that group.
final class ChildProcess {
    /// How a child ended.
    struct Result {
        /// The exit status, when the child exited on its own.
        var exitStatus: Int32?
        /// The signal that ended the child, when one did.
        var signal: Int32?
        /// True when the deadline passed and the child was killed.
        var timedOut: Bool
        var stdout: [UInt8]
        var stderr: [UInt8]

        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }

        /// "exit status 1", "signal 9", "timed out": for failure messages.
        var ending: String {
            if timedOut { return "timed out and was killed" }
            if let signal { return "ended by signal \(signal)" }
            return "exit status \(exitStatus ?? -1)"
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    /// Whether the child leads a process group of its own.
    let newProcessGroup: Bool
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var reaped = false
    private var output = Result(exitStatus: nil, signal: nil, timedOut: false, stdout: [], stderr: [])

    /// Starts `executable` with `arguments` (argv[1...]; argv[0] is
    /// `name`) in `directory`, with exactly `environment` and `stdin` as
    /// its standard input; in a process group of its own when
    /// `newProcessGroup` is true.
    init(executable: String, name: String, arguments: [String],
         environment: [String: String], directory: String?, stdin: [UInt8],
         newProcessGroup: Bool = false) throws {
        let input = try ChildProcess.inputFile(stdin)
        defer { close(input) }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard ChildProcess.pipe2(&out, O_CLOEXEC) == 0 else { throw SpawnError(description: "pipe2: errno \(errno)") }
        guard ChildProcess.pipe2(&err, O_CLOEXEC) == 0 else {
            close(out[0]); close(out[1])
            throw SpawnError(description: "pipe2: errno \(errno)")
        }
        defer { close(out[1]); close(err[1]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if let directory {
            guard let addChdir = ChildProcess.addChdir else {
                close(out[0]); close(err[0])
                throw SpawnError(description: "posix_spawn_file_actions_addchdir_np is not available")
            }
            _ = addChdir(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([name] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(out[0]); close(err[0])
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        self.pid = pid
        self.newProcessGroup = newProcessGroup
        self.stdoutFD = out[0]
        self.stderrFD = err[0]
    }

    deinit {
        kill()
    }

    /// Reads all output until both pipes close and the child exits, or
    /// kills it (SIGKILL, by pid) once `timeout` seconds have passed.
    func wait(timeout: Double = 10) -> Result {
        let deadline = Date().addingTimeInterval(timeout)
        while stdoutFD >= 0 || stderrFD >= 0 {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { output.timedOut = true; break }
            readAvailable(waitingAtMost: left)
        }
        while !output.timedOut, !reaped {
            if let status = reap(blocking: false) {
                (output.exitStatus, output.signal) = ChildProcess.decode(status)
            } else if deadline.timeIntervalSinceNow <= 0 {
                output.timedOut = true
            } else {
                usleep(2_000)
            }
        }
        if output.timedOut {
            kill()
        }
        closePipes()
        return output
    }

    /// Reads output until the child's stdout contains `text`; false when
    /// it does not within `timeout` seconds or the output ends first.
    func waitForStdout(containing text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !String(decoding: output.stdout, as: UTF8.self).contains(text) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, stdoutFD >= 0 else { return false }
            readAvailable(waitingAtMost: left)
        }
        return true
    }

    /// Kills the child by pid if it is still running and reaps it; with
    /// `newProcessGroup`, also kills what is left in its process group.
    func kill() {
        closePipes()
        if newProcessGroup {
            Glibc.kill(-pid, SIGKILL)
        }
        guard !reaped else { return }
        Glibc.kill(pid, SIGKILL)
        _ = reap(blocking: true)
    }

    /// Sends `signal` to every process in the child's process group (only
    /// with `newProcessGroup`), as a terminal sends Ctrl-C.
    func signalGroup(_ signal: Int32) {
        precondition(newProcessGroup, "the child has no process group of its own")
        Glibc.kill(-pid, signal)
    }

    private func readAvailable(waitingAtMost seconds: Double) {
        var fds = [stdoutFD, stderrFD].filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let milliseconds = Int32(min(seconds * 1000, 1000).rounded(.up))
        guard poll(&fds, nfds_t(fds.count), milliseconds) > 0 else { return }
        for entry in fds where entry.revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = read(entry.fd, &buffer, buffer.count)
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            let isStdout = entry.fd == stdoutFD
            if count <= 0 {
                close(entry.fd)
                if isStdout { stdoutFD = -1 } else { stderrFD = -1 }
            } else if isStdout {
                output.stdout += buffer[0..<count]
            } else {
                output.stderr += buffer[0..<count]
            }
        }
    }

    private func reap(blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if r == pid { reaped = true; return status }
            if r < 0, errno == EINTR { continue }
            if r < 0 { reaped = true }  // not our child any more: nothing to reap
            return nil
        }
    }

    private func closePipes() {
        if stdoutFD >= 0 { close(stdoutFD); stdoutFD = -1 }
        if stderrFD >= 0 { close(stderrFD); stderrFD = -1 }
    }

    /// (exit status, signal) from a `waitpid` status (WIFEXITED & co. are
    /// macros Swift cannot see).
    private static func decode(_ status: Int32) -> (Int32?, Int32?) {
        let signal = status & 0x7f
        return signal == 0 ? ((status >> 8) & 0xff, nil) : (nil, signal)
    }

    /// An unlinked temporary file holding `bytes`, open for reading from
    /// its start: standard input that is a plain file, never a terminal.
    private static func inputFile(_ bytes: [UInt8]) throws -> Int32 {
        let path = NSTemporaryDirectory() + "/luapool-stdin-\(UUID().uuidString)"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpawnError(description: "cannot create \(path): errno \(errno)") }
        unlink(path)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { close(fd); throw SpawnError(description: "cannot write stdin file") }
            written += n
        }
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    // Two GNU functions Swift's Glibc module does not declare, looked up at
    // run time: pipes created close-on-exec at once (so a child spawned by
    // a test running in parallel never inherits them and keeps them open),
    // and a working directory for the spawned child only (glibc 2.29).
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private static let pipe2: Pipe2 = {
        guard let symbol = dlsym(nil, "pipe2") else { fatalError("pipe2 is not available") }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()
}

extension ChildProcess {
    /// Runs a program to its end (or its deadline) and returns what it did.
    static func run(_ executable: String, name: String, arguments: [String],
                    environment: [String: String], directory: String? = nil,
                    stdin: [UInt8] = [], timeout: Double = 10) throws -> Result {
        let child = try ChildProcess(executable: executable, name: name, arguments: arguments,
                                     environment: environment, directory: directory, stdin: stdin)
        return child.wait(timeout: timeout)
    }
}
