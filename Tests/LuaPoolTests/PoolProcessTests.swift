// The pool as processes: Ctrl-C sent to the whole process group, the host
// leaving or being killed while workers run, the CPU count under an
// affinity mask, and no process left behind by any pool_*.lua case.
//
// Every run here starts luapool in a process group of its own; whatever
// the outcome, the group is killed when the test ends.

import Foundation
import Glibc
import Testing

@Suite("Pool processes")
struct PoolProcessTests {
    // MARK: Ctrl-C

    /// Starts helpers/pool_interrupt.lua, waits for "ready" from the long
    /// map's first task, sends SIGINT to the whole process group and waits
    /// at most 5 s. Returns the result and the seconds from SIGINT to exit.
    private func interruptPoolMap(_ extra: [String]) throws -> (ChildProcess.Result, Double, ChildProcess) {
        let child = try GroupRun.start(["-j", "2", "helpers/pool_interrupt.lua"] + extra)
        try #require(child.waitForStdout(containing: "ready\n", timeout: 10),
                     "the long map never started")
        usleep(100_000)
        let sent = Date()
        child.signalGroup(SIGINT)
        let result = child.wait(timeout: 5)
        return (result, Date().timeIntervalSince(sent), child)
    }

    @Test("Ctrl-C during pool.map: 'luapool: interrupted', exit status 130, no worker left")
    func interruptUncaught() throws {
        let (result, seconds, child) = try interruptPoolMap([])
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool still ran 5 s after SIGINT and was killed")
        #expect(result.signal == nil, "luapool \(result.ending)")
        #expect(result.exitStatus == 130, "stderr: \(result.stderrText)")
        #expect(seconds < 1, "luapool took \(seconds) s to end after SIGINT")
        #expect(GroupRun.isInterruptedReport(result.stderrText), "stderr:\n\(result.stderrText)")
        #expect(pids.count == 2, "stdout: \(result.stdoutText)")
        #expect(result.stdoutText == pids.map { "pid \($0)\n" }.joined() + "ready\n")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("Ctrl-C during a pcall'd pool.map: pcall returns false, 'interrupted'; the next map works")
    func interruptCaught() throws {
        let (result, seconds, child) = try interruptPoolMap(["catch"])
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool still ran 5 s after SIGINT and was killed")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(seconds < 2, "luapool took \(seconds) s to end after SIGINT")
        #expect(result.stderrText == "")
        let lines = LinePattern.lines(of: result.stdoutText).filter { !$0.hasPrefix("pid ") }
        #expect(lines == ["ready", "false\tinterrupted", "1\t4\t9\t3"], "stdout: \(result.stdoutText)")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    // MARK: The host leaving

    /// Runs helpers/pool_host_exit.lua `how` to its end (5 s at most).
    private func hostExit(_ how: String) throws -> (ChildProcess.Result, Double, ChildProcess) {
        let child = try GroupRun.start(["-j", "2", "helpers/pool_host_exit.lua", how])
        let started = Date()
        let result = child.wait(timeout: 5)
        return (result, Date().timeIntervalSince(started), child)
    }

    @Test("os.exit while a task runs: exits at once, the workers are gone")
    func exitWhileTaskRuns() throws {
        let (result, seconds, child) = try hostExit("exit")
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool did not exit")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(seconds < 2, "luapool took \(seconds) s")
        #expect(pids.count == 2, "stdout: \(result.stdoutText)")
        #expect(result.stderrText == "")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("an uncaught error while a task runs: exit status 1, the workers are gone")
    func errorWhileTaskRuns() throws {
        let (result, seconds, child) = try hostExit("error")
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool did not exit")
        #expect(result.exitStatus == 1, "\(result.ending)")
        #expect(seconds < 2, "luapool took \(seconds) s")
        #expect(pids.count == 2, "stdout: \(result.stdoutText)")
        #expect(LinePattern.matches(result.stderrText, [
            "luapool: helpers/pool_host_exit.lua:*: leaving with work running", "stack traceback:", "...",
        ]), "stderr: \(result.stderrText)")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("the end of the script: exit status 0, the workers are gone")
    func scriptEnds() throws {
        let (result, _, child) = try hostExit("end")
        defer { child.kill() }
        let pids = GroupRun.printedPids(result.stdoutText)
        defer { ProcessTable.killLeftovers(pids, group: child.pid) }
        #expect(!result.timedOut, "luapool did not exit")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(pids.count == 2, "stdout: \(result.stdoutText)")
        GroupRun.expectNothingLeft(child, printed: pids)
    }

    @Test("the host killed by SIGKILL: its workers die with it")
    func hostKilled() throws {
        try GroupRun.expectChildrenDieWithHost(["-j", "2", "helpers/pool_host_exit.lua", "wait"], count: 2)
    }

    // MARK: Failing initializer

    @Test("a failing initializer: the script ends in well under 3 s, nothing left")
    func failingInitializerEndsQuickly() throws {
        let child = try GroupRun.start(["-j", "2", "pool_initializer_fails.lua"])
        defer { child.kill() }
        let started = Date()
        let result = child.wait(timeout: 3)
        let seconds = Date().timeIntervalSince(started)
        #expect(!result.timedOut, "still running after 3 s: workers respawned forever?")
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(seconds < 2, "took \(seconds) s")
        GroupRun.expectNothingLeft(child, printed: [])
    }

    // MARK: CPU count

    @Test("under taskset -c 0: mp.cpu_count() is 1 and the global pool has one worker")
    func affinityOfOneCPU() throws {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let taskset = "/usr/bin/taskset"
        try #require(FileManager.default.isExecutableFile(atPath: taskset), "taskset is not installed")
        let script = """
            local mp = require "multiprocessing"
            local f = io.popen("nproc")
            local nproc = f:read("n")
            f:close()
            local names = pool.map(function() return mp.current_process().name end, {1, 2, 3, 4, 5, 6}, 1)
            local seen = {}
            for i = 1, names.n do seen[names[i]] = true end
            local list = {}
            for name in pairs(seen) do list[#list + 1] = name end
            table.sort(list)
            print(mp.cpu_count(), nproc, table.concat(list, " "))
            """
        let child = try ChildProcess(executable: taskset, name: "taskset",
                                     arguments: ["-c", "0", binary, "-e", script],
                                     environment: childEnvironment(), directory: nil, stdin: [],
                                     newProcessGroup: true)
        defer { child.kill() }
        let result = child.wait(timeout: 10)
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(result.stdoutText == "1\t1\tPoolWorker-1\n")
        GroupRun.expectNothingLeft(child, printed: [])
    }

    // MARK: Every pool case

    @Test("a pool_*.lua or process_*.lua case leaves no process behind",
          arguments: ScriptRun.scripts(in: TestPaths.luaScripts).filter { $0.hasPrefix("pool_") || $0.hasPrefix("process_") })
    func caseLeavesNothing(_ script: String) throws {
        let run = try ScriptRun(script: script)
        let child = try GroupRun.start(run.expectation.arguments ?? [script],
                              environment: run.expectation.environment)
        defer { child.kill() }
        let result = child.wait(timeout: 10)
        #expect(!result.timedOut, "\(script) did not end within 10 s")
        GroupRun.expectNothingLeft(child, printed: [])
    }
}
