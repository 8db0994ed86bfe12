// luapool under Open MPI's mpirun, on this machine with several ranks:
// the scripts in Tests/mpi, run as a user runs them on a cluster.

import Foundation
import Glibc
import Testing

@Suite("On a cluster (Open MPI)", .serialized, .enabled(if: TestPaths.onPath("mpirun") != nil, "mpirun is not installed"))
struct MPITests {
    private static let folder = TestPaths.repository.appendingPathComponent("Tests/mpi")

    /// Starts `mpirun -n ranks luapool arguments` in Tests/mpi, in a
    /// process group of its own, as root if need be.
    private func start(_ ranks: Int, _ arguments: [String], extra: [String: String] = [:]) throws -> ChildProcess {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let mpirun = try #require(TestPaths.onPath("mpirun"))
        let environment = childEnvironment([
            "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
        ].merging(extra) { $1 })
        return try ChildProcess(executable: mpirun, name: "mpirun",
                                arguments: ["--oversubscribe", "-n", String(ranks), binary] + arguments,
                                environment: environment, directory: MPITests.folder.path, stdin: [],
                                newProcessGroup: true)
    }

    private func run(_ ranks: Int, _ arguments: [String], timeout: Double = 60,
                     extra: [String: String] = [:]) throws -> ChildProcess.Result {
        let child = try start(ranks, arguments, extra: extra)
        defer { child.kill() }
        let result = child.wait(timeout: timeout)
        #expect(!result.timedOut, "mpirun did not end within \(timeout) s")
        expectNothingLeft(printed: GroupRun.printedPids(result.stdoutText), script: arguments.last ?? "")
        return result
    }

    /// No printed process and no luapool of this script is left.
    private func expectNothingLeft(printed: [pid_t], script: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        let left = ProcessTable.waitUntilGone(printed, timeout: 3)
        #expect(left.isEmpty, "processes still running after mpirun ended: \(left)", sourceLocation: sourceLocation)
        var others: [pid_t] = []
        for _ in 0..<30 {
            others = ProcessTable.all().filter { entry in
                guard entry.isRunning else { return false }
                let command = MPITests.commandLine(entry.pid)
                return command.contains("luapool") && command.hasSuffix(" " + script + " ")
                    || command.contains("luapool") && command.contains(" " + script + " ")
            }.map(\.pid)
            if others.isEmpty { break }
            usleep(100_000)
        }
        #expect(others.isEmpty, "luapool processes of \(script) left: \(others)", sourceLocation: sourceLocation)
    }

    private static func commandLine(_ pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }

    /// The lines of `text` with pids, worker numbers, host names and
    /// (where noted) rank numbers made constant.
    private func normalized(_ text: String, ranks: Bool = false) -> [String] {
        LinePattern.lines(of: text).filter { !$0.hasPrefix("pid ") }.map { line in
            var line = line.replacingOccurrences(of: #"PoolWorker-\d+"#, with: "PoolWorker-N", options: .regularExpression)
            line = line.replacingOccurrences(of: #"pid \d+"#, with: "pid P", options: .regularExpression)
            if ranks { line = line.replacingOccurrences(of: #"rank \d+"#, with: "rank R", options: .regularExpression) }
            return line
        }
    }

    @Test("a pool spans every worker of every rank; names say where; pools take and give back workers")
    func world() throws {
        let result = try run(3, ["world.lua"])
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(normalized(result.stdoutText) == [
            "world\ttrue\t3\t2\t2\t2",
            "rank\t1\t1\ttrue",
            "rank\t2\t1\ttrue",
            "squares\t1 4 9 16 25 36",
            "ran on ranks\t1\t2",
            "name\tPoolWorker-N on rank 1 (HOST)",
            "free while the default pool runs\t0",
            "false\ta pool of 1 worker asked for, but only 0 of the job's 2 are free (2 serve other pools: join or terminate them first)",
            "one\ton rank 1\t1",
            "a pool of 2 workers asked for, but only 1 of the job's 2 is free (1 serves other pools: join or terminate them first)",
            "local\ttrue",
            "global\t42",
            "child\t4\tfalse",
            "child exit\t0",
        ], "stdout: \(result.stdoutText)")
        #expect(GroupRun.printedPids(result.stdoutText).count == 7)
    }

    @Test("failures on other ranks: errors with their traceback, deaths, collect, retries, timeouts, memory caps")
    func failures() throws {
        let result = try run(3, ["failures.lua"])
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(normalized(result.stdoutText, ranks: true) == [
            "failures.lua:9: boom (item 3 in PoolWorker-N on rank R (HOST), pid P)",
            "traceback\ttrue",
            "PoolWorker-N on rank R (HOST) (pid P) died running item 2: exited with status 5",
            "after a death\t4",
            "results\t1\tnil\tnil\tnil\tnil\tnil\t7",
            "failure\t2\terror\tfailures.lua:16: two\tPoolWorker-N on rank R (HOST)",
            "failure\t3\ttimeout\ttask timed out after 0.3 s\tPoolWorker-N on rank R (HOST)",
            "failure\t4\ttimeout\ttask timed out after 0.3 s\tPoolWorker-N on rank R (HOST)",
            "failure\t5\tmemory\tnot enough memory\tPoolWorker-N on rank R (HOST)",
            "failure\t6\tdied\tPoolWorker-N on rank R (HOST) (pid P) died running item 6: exited with status 1\tPoolWorker-N on rank R (HOST)",
            "retried\t10\t20\t30",
        ], "stdout: \(result.stdoutText)")
    }

    @Test("the same seeded script prints the same with 1, 2 or 4 ranks and without MPI")
    func seeds() throws {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let plain = try ChildProcess.run(binary, name: "luapool", arguments: ["--seed", "7", "seeded.lua"],
                                         environment: childEnvironment(), directory: MPITests.folder.path)
        #expect(plain.exitStatus == 0)
        #expect(LinePattern.lines(of: plain.stdoutText).count == 4, "\(plain.stdoutText)")
        for ranks in [1, 2, 4] {
            let result = try run(ranks, ["--seed", "7", "seeded.lua"])
            #expect(result.exitStatus == 0, "\(ranks) ranks: \(result.ending); stderr: \(result.stderrText)")
            #expect(result.stdoutText == plain.stdoutText, "\(ranks) ranks")
        }
    }

    /// A rank's fork server that starts slowly (a loaded machine) finds
    /// the relay's first request already read with its role: it must run
    /// it, not wait for another (the script waited for its first worker
    /// until the 60 s limit).
    @Test("a fork server slow to start runs the requests that came with its role")
    func slowForkServer() throws {
        let result = try run(2, ["--seed", "7", "seeded.lua"], timeout: 30, extra: ["LUAPOOL_MPI_SLOW_START": "500"])
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(LinePattern.lines(of: result.stdoutText).count == 4, "\(result.stdoutText)")
    }

    @Test("examples/cluster_sweep.lua prints the same under mpirun -n 3 as without MPI")
    func clusterSweep() throws {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let example = TestPaths.repository.appendingPathComponent("examples/cluster_sweep.lua").path
        let plain = try ChildProcess.run(binary, name: "luapool", arguments: [example], environment: childEnvironment(),
                                         timeout: 60)
        #expect(plain.exitStatus == 0 && LinePattern.lines(of: plain.stdoutText).count == 12, "\(plain.stdoutText)")
        #expect(plain.stderrText.contains("(no MPI)"), "\(plain.stderrText)")
        let result = try run(3, [example])
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(result.stdoutText == plain.stdoutText)
        #expect(result.stderrText.contains("96 runs on 2 workers (3 ranks): "), "\(result.stderrText)")
    }

    @Test("imap, async calls with callbacks, progress and a checkpoint that a second run resumes from")
    func experiments() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("luapool-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("ck").path, runs = folder.appendingPathComponent("runs").path
        for (run, notice) in [(1, "new, 6 items to run"), (2, "all 6 items done, nothing to run")] {
            let result = try self.run(3, ["experiments.lua", checkpoint, runs])
            #expect(result.exitStatus == 0, "run \(run): \(result.ending); stderr: \(result.stderrText)")
            #expect(result.stdoutText == "1=2 2=3 3=4 \nunordered\t2 4 6\ncallbacks\t2 async\ncheckpointed sum\t91\n",
                    "run \(run): \(result.stdoutText)")
            #expect(result.stderrText.contains("luapool: checkpoint '\(checkpoint)': \(notice)\n"), "\(result.stderrText)")
            #expect(result.stderrText.contains("progress: 6/6 (100%)"), "\(result.stderrText)")
        }
        let ran = try String(contentsOfFile: runs, encoding: .utf8)
        #expect(ran.split(separator: "\n").count == 6, "items run: \(ran)")
    }

    @Test("a rank that dies or is stopped ends the job; the host's checkpoint is flushed and a rerun resumes from it",
          arguments: [SIGKILL, SIGTERM])
    func rankDies(_ signal: Int32) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("luapool-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("ck").path, runs = folder.appendingPathComponent("runs").path
        func ran() -> [Substring] {
            ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n")
        }
        let child = try start(3, ["rank_dies.lua", checkpoint, runs])
        defer { child.kill() }
        let deadline = Date().addingTimeInterval(30)
        while ran().count < 6 && Date() < deadline { usleep(20_000) }
        // Rank 2's process (its relay): mpirun's child with that rank.
        let rank2 = ProcessTable.all().filter { entry in
            entry.parent == child.pid && MPITests.environment(entry.pid).contains("OMPI_COMM_WORLD_RANK=2")
        }.map(\.pid)
        try #require(rank2.count == 1, "rank 2 not found among mpirun's children")
        kill(rank2[0], signal)
        let killed = child.wait(timeout: 30)
        #expect(!killed.timedOut, "mpirun did not end after rank 2 got signal \(signal)")
        #expect(killed.stderrText.contains("interrupted"), "the host was not stopped: \(killed.stderrText)")
        #expect(killed.exitStatus != 0)
        #expect(!killed.stdoutText.contains("sum"), "the map finished before rank 2 died")
        expectNothingLeft(printed: [], script: "rank_dies.lua")
        let before = ran().count
        try #require(before < 40, "every item ran before rank 2 died")
        let again = try run(3, ["rank_dies.lua", checkpoint, runs])
        #expect(again.exitStatus == 0, "\(again.ending); stderr: \(again.stderrText)")
        #expect(again.stdoutText == "sum\t820\n")
        #expect(again.stderrText.contains("resuming, "), "\(again.stderrText)")
        let all = ran()
        #expect(Set(all).count == 40, "some item never ran")
        // Only the items in flight when the rank died (a chunk of one on
        // each of the two workers) may have run twice.
        #expect(all.count - 40 <= 2, "\(all.count - 40) items ran twice (\(before) before the death)")
    }

    private static func environment(_ pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("Ctrl-C at mpirun stops the work, the host prints interrupted, nothing is left on any rank")
    func interrupt() throws {
        let child = try start(3, ["interrupt.lua"])
        defer { child.kill() }
        try #require(child.waitForStdout(containing: "ready\n", timeout: 30), "the script never got ready")
        kill(child.pid, SIGINT)
        let result = child.wait(timeout: 20)
        #expect(!result.timedOut, "mpirun did not end after Ctrl-C")
        #expect(result.stderrText.contains("interrupted"), "stderr: \(result.stderrText)")
        #expect(result.exitStatus != 0)
        expectNothingLeft(printed: GroupRun.printedPids(result.stdoutText), script: "interrupt.lua")
        #expect(GroupRun.printedPids(result.stdoutText).count == 3)
    }
}
