// Scripted experiments, where a .expect case cannot show them: the
// progress bar on a terminal, and a checkpoint that survives its host
// being killed.

import Foundation
import Glibc
import Testing

@Suite("Scripted experiments")
struct ExperimentTests {
    @Test("progress = true draws a bar on a terminal that moves inside a chunk, is wiped for the script's lines and stays as a final line")
    func progressBar() throws {
        let script = """
            local mp = require "multiprocessing"
            local p <close> = mp.Pool(1)
            local function slow(x) local t = os.clock() while os.clock() - t < 0.05 do end return x end
            local list = {} for i = 1, 20 do list[i] = i end
            local r = p:map(slow, list, {progress = true, chunksize = 20})
            print("map done", r.n)
            for i in p:imap(slow, {1, 2, 3, 4}, {progress = true}) do print("got", i) end
            print("end")
            """
        let driver = try TerminalDriver()
        defer { driver.removeHome() }
        let session = try driver.run(["-e", script], screen: true, steps: ["expect:end", "exit:0"])
        #expect(session.passed, "\(session.transcript)")
        let parts = session.transcript.components(separatedBy: "\n--- screen ---\n")
        try #require(parts.count == 2, "\(session.transcript)")
        let (drawn, screen) = (parts[0], LinePattern.lines(of: parts[1]))
        // One chunk of 20 items: the bar counted items inside it.
        let inside = (1...19).filter { drawn.contains("| \($0)/20 [") }
        #expect(inside.count >= 3, "the bar did not move inside the chunk: \(drawn)")
        #expect(drawn.contains("it/s]"), "\(drawn)")
        // What a person sees at the end: each final bar on its own line,
        // the script's lines whole, no bar left over them.
        let bars = screen.filter { $0.contains("%|") }
        #expect(bars.count == 2, "\(screen)")
        #expect(bars.first?.hasPrefix("100%|") == true && bars.first?.contains("| 20/20 [") == true, "\(screen)")
        #expect(bars.last?.hasPrefix("100%|") == true && bars.last?.contains("| 4/4 [") == true, "\(screen)")
        for line in ["map done\t20", "got\t1", "got\t2", "got\t3", "end"] {
            #expect(screen.contains(line), "no line \(line.debugDescription) on the screen: \(screen)")
        }
        #expect(screen.allSatisfy { $0.count <= 80 }, "a line wider than the terminal: \(screen)")
    }

    @Test("a host killed with SIGKILL mid-run loses no finished result: the rerun runs only what is left")
    func checkpointSurvivesKill() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("luapool-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("runs.checkpoint").path
        let side = folder.appendingPathComponent("ran.txt").path
        let script = """
            local mp = require "multiprocessing"
            local p <close> = mp.Pool(2)
            local function task(x)
              local t = os.clock() while os.clock() - t < 0.05 do end
              local f = io.open("\(side)", "a") f:write(x, "\\n") f:close()
              return x * x
            end
            local list = {} for i = 1, 60 do list[i] = i end
            local r = p:map(task, list, {checkpoint = "\(checkpoint)", chunksize = 2})
            local sum = 0 for i = 1, r.n do sum = sum + r[i] end
            print("sum", sum)
            """
        func ranItems() -> [String] {
            ((try? String(contentsOfFile: side, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        // First run, killed once at least 20 items ran.
        let first = try GroupRun.start(["-e", script])
        defer { first.kill() }
        let deadline = Date().addingTimeInterval(20)
        while ranItems().count < 20 && Date() < deadline { usleep(20_000) }
        kill(first.pid, SIGKILL)
        let killed = first.wait(timeout: 10)
        #expect(killed.stdoutText == "", "the first run finished before it was killed")
        GroupRun.expectNothingLeft(first, printed: [])
        let before = ranItems()
        try #require(before.count >= 20 && before.count < 60, "items run before the kill: \(before.count)")

        // The rerun: the full results, and each item finished before the
        // kill runs no more (only those in flight then may run again: at
        // most two chunks of two).
        let second = try GroupRun.start(["-e", script])
        defer { second.kill() }
        let result = second.wait(timeout: 30)
        #expect(result.exitStatus == 0, "\(result.ending); stderr: \(result.stderrText)")
        #expect(result.stdoutText == "sum\t73810\n")
        #expect(result.stderrText.contains("resuming, "), "\(result.stderrText)")
        let all = ranItems()
        #expect(Set(all).count == 60, "some item never ran")
        let again = all.count - 60
        #expect(again >= 0 && again <= 4, "items run twice: \(again) (\(before.count) before the kill)")
        GroupRun.expectNothingLeft(second, printed: [])
    }
}
