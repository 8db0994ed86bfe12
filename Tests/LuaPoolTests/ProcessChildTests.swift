// mp.Process as processes: Ctrl-C sent to the whole process group while
// the host joins a child, the host's exit joining plain children and
// terminating daemon children, the host killed, and the examples.
//
// Every run starts luapool in a process group of its own; whatever the
// outcome, the group is killed when the test ends.

import Foundation
import Glibc
import Testing

@Suite("Process children")
struct ProcessChildTests {
    /// Runs helpers/process_life.lua `how`; with `interrupt`, sends SIGINT
    /// to the group once it printed "ready". Returns the result and the
    /// seconds from the signal (or the start) to the end.
    private func life(_ how: String, interrupt: Bool) throws -> (ChildProcess.Result, Double, ChildProcess) {
        let child = try GroupRun.start(["-j", "2", "helpers/process_life.lua", how])
        var from = Date()
        if interrupt {
            try #require(child.waitForStdout(containing: "ready\n", timeout: 10), "the child never started")
            usleep(100_000)
            from = Date()
            child.signalGroup(SIGINT)
        }
        let result = child.wait(timeout: 5)
        return (result, Date().timeIntervalSince(from), child)
    }

    @Test("Ctrl-C during join(): join raises 'interrupted', the child ends quietly with exitcode -2",
          arguments: ["join", "pool"])
    func interruptJoin(_ how: String) throws {
        let (result, seconds, child) = try life(how, interrupt: true)
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool still ran 5 s after SIGINT and was killed")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(seconds < 1, "luapool took \(seconds) s to end after SIGINT")
        #expect(result.stderrText == "", "the child was not quiet")
        let lines = LinePattern.lines(of: result.stdoutText).filter { !$0.hasPrefix("pid ") }
        #expect(lines == ["ready", "false\tinterrupted", "exitcode -2"], "stdout: \(result.stdoutText)")
        #expect(pids.count == 1)
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("Ctrl-C during an uncaught join(): 'luapool: interrupted', exit status 130")
    func interruptUncaught() throws {
        let (result, seconds, child) = try life("uncaught", interrupt: true)
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool still ran 5 s after SIGINT and was killed")
        #expect(result.exitStatus == 130, "\(result.ending); stderr: \(result.stderrText)")
        #expect(seconds < 1, "luapool took \(seconds) s to end after SIGINT")
        #expect(GroupRun.isInterruptedReport(result.stderrText), "stderr:\n\(result.stderrText)")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("the script's end waits for a child that is not a daemon", arguments: ["end", "error"])
    func exitJoinsChildren(_ how: String) throws {
        let (result, seconds, child) = try life(how, interrupt: false)
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool did not exit")
        let lines = LinePattern.lines(of: result.stdoutText).filter { !$0.hasPrefix("pid ") }
        if how == "end" {
            #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
            #expect(lines == ["host done", "child done"], "stdout: \(result.stdoutText)")
        } else {
            #expect(result.exitStatus == 1, "\(result.ending)")
            #expect(lines == ["child done"], "stdout: \(result.stdoutText)")
            #expect(LinePattern.matches(result.stderrText, [
                "luapool: helpers/process_life.lua:*: host failed", "stack traceback:", "...",
            ]), "stderr: \(result.stderrText)")
        }
        #expect(seconds >= 0.25, "luapool ended after \(seconds) s, before its child")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("the script's end terminates a daemon child")
    func exitTerminatesDaemons() throws {
        let (result, seconds, child) = try life("daemon", interrupt: false)
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool did not exit: the daemon child was joined?")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(seconds < 2, "luapool took \(seconds) s")
        #expect(pids.count == 1, "stdout: \(result.stdoutText)")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("the host killed by SIGKILL: its children die with it")
    func hostKilled() throws {
        try GroupRun.expectChildrenDieWithHost(["helpers/process_life.lua", "wait"], count: 1)
    }
}
