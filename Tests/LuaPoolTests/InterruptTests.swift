// Ctrl-C: SIGINT while a chunk runs raises "interrupted" in it, as lua.c
// raises "interrupted!"; uncaught, the exit status is 130.

import Foundation
import Testing

@Suite("SIGINT")
struct InterruptTests {
    /// Starts luapool, waits until the chunk has printed "ready" and a
    /// little more, sends SIGINT once, and waits at most 5 s for the end.
    private func interrupt(_ arguments: [String], stdin: String = "") throws -> ChildProcess.Result {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let child = try ChildProcess(executable: binary, name: "luapool", arguments: arguments,
                                     environment: childEnvironment(), directory: nil,
                                     stdin: Array(stdin.utf8))
        defer { child.kill() }
        try #require(child.waitForStdout(containing: "ready", timeout: 10),
                     "luapool never printed 'ready'")
        usleep(300_000)
        kill(child.pid, SIGINT)
        return child.wait(timeout: 5)
    }

    @Test("SIGINT during a running chunk: interrupted, exit status 130")
    func interruptsAChunk() throws {
        let result = try interrupt(["-e", "print('ready') io.stdout:flush() while true do end"])
        #expect(!result.timedOut, "luapool still ran 5 s after SIGINT and was killed")
        #expect(result.signal == nil, "luapool \(result.ending) instead of handling SIGINT")
        #expect(result.exitStatus == 130)
        #expect(LinePattern.matches(result.stderrText, [
            "luapool: interrupted", "stack traceback:", "...", "\t[C]: in ?",
        ]), "stderr: \(result.stderrText)")
    }

    @Test("SIGINT in the REPL stops the chunk and the loop goes on")
    func interruptsAREPLChunk() throws {
        let result = try interrupt(["-v", "-i"], stdin: """
            print('ready') io.stdout:flush()
            while true do end
            print('after')

            """)
        #expect(!result.timedOut, "luapool still ran 5 s after SIGINT and was killed")
        #expect(result.exitStatus == 0, "\(result.ending)")
        // The REPL echoes each line after its prompt (standard input is
        // not a terminal), as lua5.4 does; "after" is printed by the last.
        let lines = LinePattern.lines(of: result.stdoutText)
        #expect(lines.suffix(3) == ["> print('after')", "after", "> "], "stdout: \(result.stdoutText)")
        #expect(LinePattern.matches(result.stderrText, ["interrupted", "stack traceback:", "..."]),
                "stderr: \(result.stderrText)")
    }
}
