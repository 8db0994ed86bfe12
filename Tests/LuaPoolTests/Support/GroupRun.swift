// Runs of the built luapool in a process group of their own, for the tests
// that check processes: what a script printed as "pid N" lines, and that
// nothing is left once it ended.

import Foundation
import Glibc
import Testing

enum GroupRun {
    /// A luapool run in its own process group, in Tests/lua.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        return try ChildProcess(executable: binary, name: "luapool", arguments: arguments,
                                environment: childEnvironment(environment),
                                directory: TestPaths.luaScripts.path, stdin: [],
                                newProcessGroup: true)
    }

    /// The pids a script printed as "pid N" lines.
    static func printedPids(_ stdout: String) -> [pid_t] {
        LinePattern.lines(of: stdout).compactMap { line in
            line.hasPrefix("pid ") ? pid_t(line.dropFirst(4)) : nil
        }
    }

    /// Checks that the printed processes and everything else in the
    /// child's process group are gone within a second of its end.
    static func expectNothingLeft(_ child: ChildProcess, printed pids: [pid_t],
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let left = ProcessTable.waitUntilGone(pids, timeout: 1)
        #expect(left.isEmpty, "processes still running 1 s after luapool ended: \(left)",
                sourceLocation: sourceLocation)
        let group = ProcessTable.waitUntilEmpty(group: child.pid, timeout: 1)
        #expect(group.isEmpty, "processes left in luapool's process group: \(group)",
                sourceLocation: sourceLocation)
    }

    /// Stderr of an uncaught `interrupted`: that line, a traceback, and
    /// nothing else (no line from a worker or child).
    static func isInterruptedReport(_ stderr: String) -> Bool {
        let lines = LinePattern.lines(of: stderr)
        guard lines.count >= 2, lines[0] == "luapool: interrupted",
              lines[1] == "stack traceback:" else { return false }
        return lines.dropFirst(2).allSatisfy { $0.hasPrefix("\t") }
    }

    /// Starts luapool with `arguments` (a script that prints "pid N" lines
    /// for its children, then "ready", then waits), kills it with SIGKILL
    /// once it is ready and checks that its `count` children die with it.
    static func expectChildrenDieWithHost(_ arguments: [String], count: Int,
                                          sourceLocation: SourceLocation = #_sourceLocation) throws {
        let child = try start(arguments)
        defer { child.kill() }
        try #require(child.waitForStdout(containing: "ready\n", timeout: 10), "luapool never printed 'ready'",
                     sourceLocation: sourceLocation)
        kill(child.pid, SIGKILL)
        let result = child.wait(timeout: 5)
        let pids = printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool's stdout stayed open 5 s after it was killed: a child alive?",
                sourceLocation: sourceLocation)
        #expect(result.signal == SIGKILL, "\(result.ending)", sourceLocation: sourceLocation)
        #expect(pids.count == count, "stdout: \(result.stdoutText)", sourceLocation: sourceLocation)
        expectNothingLeft(child, printed: pids, sourceLocation: sourceLocation)
    }
}
