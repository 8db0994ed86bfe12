// Failures outside Lua, made on demand: fork() failing (a replacement
// worker that cannot be started is an error, never a hang), a daemon
// Process that ignores SIGTERM at exit, and luapool started with one of
// its standard descriptors closed. The first two preload
// Tests/shims/failures.c, built here with the C compiler.

import Foundation
import Glibc
import Testing

@Suite("System failures")
struct PoolSystemFailureTests {
    /// Tests/shims/failures.c built as a shared library, once per run.
    static let shim: Result<String, ChildProcess.SpawnError> = {
        let source = TestPaths.luaScripts.deletingLastPathComponent()
            .appendingPathComponent("shims/failures.c").path
        let library = NSTemporaryDirectory() + "/luapool-failures-\(getpid()).so"
        guard let result = try? ChildProcess.run("/usr/bin/cc", name: "cc",
                                                 arguments: ["-shared", "-fPIC", "-o", library, source, "-ldl"],
                                                 environment: ProcessInfo.processInfo.environment, timeout: 60),
              result.exitStatus == 0 else {
            return .failure(ChildProcess.SpawnError(description: "cannot build \(source) with /usr/bin/cc"))
        }
        return .success(library)
    }()

    @Test("fork failing: a dead worker that cannot be replaced is an error, not a hang; the next call tries again")
    func forkFails() throws {
        let library = try Self.shim.get()
        let flag = NSTemporaryDirectory() + "/luapool-fork-fails-\(getpid())"
        defer { unlink(flag) }
        let child = try GroupRun.start(["-j", "1", "helpers/pool_fork_fails.lua"],
                                       environment: ["LD_PRELOAD": library, "TEST_FORK_FAILS_WHILE": flag])
        defer { child.kill() }
        let result = child.wait(timeout: 10)
        #expect(!result.timedOut, "luapool hung once fork failed")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        let unavailable = "fork: Resource temporarily unavailable"
        #expect(LinePattern.lines(of: result.stdoutText) == [
            "true\t4",
            "false\tPoolWorker-N (pid P) died running item 1: exited with status 1",
            "false\tcannot start a worker: \(unavailable)",
            "false\tcannot start a worker: \(unavailable)",
            "false\tcannot start the pool's workers: \(unavailable)",
            "false\thelpers/pool_fork_fails.lua:25: cannot start Process-1: \(unavailable)",
            "false\tcannot start the pool's workers: \(unavailable)",
            "true\t6",
            "true\t8",
        ], "stdout:\n\(result.stdoutText)")
        GroupRun.expectNothingLeft(child, printed: [])
    }

    @Test("a daemon Process ignoring SIGTERM is killed at exit after a short grace")
    func stubbornDaemon() throws {
        let library = try Self.shim.get()
        let child = try GroupRun.start(["helpers/process_stubborn_daemon.lua"],
                                       environment: ["LD_PRELOAD": library, "TEST_IGNORE_SIGTERM": "1"])
        defer { child.kill() }
        try #require(child.waitForStdout(containing: "ready\n", timeout: 10), "the script never got ready")
        let ready = Date()
        let result = child.wait(timeout: 10)
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "the exit hung on the daemon")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        let seconds = Date().timeIntervalSince(ready)
        #expect(seconds >= 0.8 && seconds < 4, "the exit took \(seconds) s (a grace of about 1 s expected)")
        #expect(pids.count == 1)
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    /// Runs helpers/pool_closed_stdio.lua through the shell with
    /// `redirection` (`>&-`...) applied to luapool.
    private func runClosed(_ redirection: String) throws -> ChildProcess.Result {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        return try ChildProcess.run("/bin/sh", name: "sh",
                                    arguments: ["-c", "exec \"$0\" -j 2 helpers/pool_closed_stdio.lua \(redirection)", binary],
                                    environment: childEnvironment(), directory: TestPaths.luaScripts.path)
    }

    @Test("standard output closed at start: the pool works, the script's other output is intact")
    func stdoutClosed() throws {
        let result = try runClosed(">&-")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(result.stdoutText == "")
        #expect(result.stderrText == "stderr 2 4 6\nagain 4\nstdin nil\n")
    }

    @Test("standard error closed at start: the pool works")
    func stderrClosed() throws {
        let result = try runClosed("2>&-")
        #expect(result.exitStatus == 0, "\(result.ending)")
        #expect(result.stdoutText == "stdout\t2\t4\t6\nagain\t4\n")
    }

    @Test("standard input closed at start: the pool works")
    func stdinClosed() throws {
        let result = try runClosed("<&-")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(result.stdoutText == "stdout\t2\t4\t6\nagain\t4\n")
        #expect(result.stderrText == "stderr 2 4 6\nagain 4\nstdin nil\n")
    }
}
