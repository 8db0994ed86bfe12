// The scripts under examples/, run as a user runs them, with their output
// checked (in any order where processes race).

import Foundation
import Glibc
import Testing

@Suite("Examples")
struct ExampleTests {
    private static let examples = TestPaths.luaScripts
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    /// Runs examples/`name` with `arguments` (luapool's options first).
    private func run(_ name: String, options: [String] = [], _ arguments: [String] = []) throws -> ChildProcess.Result {
        let path = ExampleTests.examples.appendingPathComponent(name).path
        let child = try GroupRun.start(options + [path] + arguments)
        defer { child.kill() }
        let result = child.wait(timeout: 30)
        #expect(!result.timedOut, "\(name) did not end within 30 s")
        #expect(result.exitStatus == 0, "\(name) \(result.ending); stderr: \(result.stderrText)")
        #expect(result.stderrText == "", "\(name) wrote to stderr")
        GroupRun.expectNothingLeft(child, printed: [])
        return result
    }

    @Test("squares.lua: one line per number from 2 to 6, each from its own Process")
    func squares() throws {
        let result = try run("squares.lua")
        let lines = LinePattern.lines(of: result.stdoutText).sorted()
        #expect(lines == [
            "2 squared to 4 by: Process-1", "3 squared to 9 by: Process-2", "4 squared to 16 by: Process-3",
            "5 squared to 25 by: Process-4", "6 squared to 36 by: Process-5",
        ], "stdout: \(result.stdoutText)")
    }

    @Test("pool_basics.lua: map and starmap with <close>, then close() and join()")
    func poolBasics() throws {
        let result = try run("pool_basics.lua")
        #expect(result.stdoutText == """
            squares: 1 4 9 16 25
            products: 20 9 20
            lengths: 4 4 4
            done

            """)
    }

    @Test("sweep.lua: a CSV of 25 points from 250 seeded runs; run again, it runs nothing and writes the same file")
    func sweep() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("luapool-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (csv, checkpoint) = (folder.appendingPathComponent("out.csv").path, folder.appendingPathComponent("ck").path)
        let path = ExampleTests.examples.appendingPathComponent("sweep.lua").path
        var texts: [String] = []
        for (run, notice) in [(1, "new, 250 items to run"), (2, "all 250 items done, nothing to run")] {
            let child = try GroupRun.start([path, csv, checkpoint])
            defer { child.kill() }
            let result = child.wait(timeout: 30)
            #expect(result.exitStatus == 0, "run \(run): \(result.ending); stderr: \(result.stderrText)")
            #expect(result.stdoutText == "25 points, 250 runs, 0 failed; wrote \(csv)\n")
            #expect(result.stderrText == "luapool: checkpoint '\(checkpoint)': \(notice)\n")
            GroupRun.expectNothingLeft(child, printed: [])
            texts.append(try String(contentsOfFile: csv, encoding: .utf8))
        }
        let lines = texts[0].components(separatedBy: "\r\n")
        #expect(lines.first == "p,steps,runs,mean,sd")
        #expect(lines.count == 27 && lines.last == "", "\(texts[0])")
        #expect(lines[1].hasPrefix("0.3,1000,10,-"), "\(lines[1])")
        #expect(texts[0] == texts[1])
    }

    @Test("monte_carlo.lua: ten seeded runs, the same output for 1 and 3 workers")
    func monteCarlo() throws {
        let one = try run("monte_carlo.lua", options: ["-j", "1"], ["20000"])
        let three = try run("monte_carlo.lua", options: ["-j", "3"], ["20000"])
        let lines = LinePattern.lines(of: one.stdoutText)
        #expect(lines.count == 11, "stdout: \(one.stdoutText)")
        #expect(lines.first?.hasPrefix("run  1: 3.") == true)
        #expect(lines.last?.hasPrefix("pi ~ 3.1") == true, "stdout: \(one.stdoutText)")
        #expect(lines.last?.hasSuffix("(mean and standard deviation of 10 runs of 20000 points)") == true)
        #expect(one.stdoutText == three.stdoutText)
        #expect(Set(lines.dropLast()).count == 10, "the ten runs drew the same numbers")
    }

    @Test("primes.lua: the primes below 200000")
    func primes() throws {
        let result = try run("primes.lua", ["200000"])
        #expect(LinePattern.lines(of: result.stdoutText).last == "17984 primes below 200000",
                "stdout: \(result.stdoutText)")
    }
}
