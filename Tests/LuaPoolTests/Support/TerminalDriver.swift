import Foundation
import Testing

/// Runs the built `luapool` on a pseudo-terminal through
/// `Tests/terminal/drive.py`, which types keys and waits for output as a
/// person would (its doc string lists the steps). The program runs in a
/// session of its own, and the driver kills whatever is left of it.
struct TerminalDriver {
    /// A HOME of its own, removed with the driver's folder.
    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory
            .appendingPathComponent("luapool-terminal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    func removeHome() {
        try? FileManager.default.removeItem(at: home)
    }

    /// What the session printed (control sequences removed), and whether
    /// every step held: the driver's last line is `FAIL: ...` otherwise.
    struct Session {
        let passed: Bool
        let transcript: String
    }

    /// Runs `luapool arguments` on a terminal and performs `steps`.
    /// With `screen`, the transcript ends with the screen as a person
    /// sees it, after a line `--- screen ---` (see drive.py).
    func run(_ arguments: [String] = [], environment: [String: String] = [:],
             screen: Bool = false, steps: [String]) throws -> Session {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let python = try #require(TestPaths.python3, "python3 is not on PATH")
        var env = childEnvironment(["HOME": home.path, "TERM": "xterm", "LC_ALL": "C.UTF-8"])
        env.merge(environment) { _, new in new }
        let driver = TestPaths.luaScripts.deletingLastPathComponent()
            .appendingPathComponent("terminal/drive.py").path
        let result = try ChildProcess.run(
            python, name: "python3",
            arguments: [driver, "--timeout", "10"] + (screen ? ["--screen"] : []) + ["--", binary] + arguments
                + [":::"] + steps,
            environment: env, timeout: 60)
        let passed = result.exitStatus == 0 && !result.timedOut
        return Session(passed: passed, transcript: result.stdoutText + result.stderrText)
    }
}
