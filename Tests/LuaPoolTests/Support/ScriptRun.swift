import Foundation
import Testing

/// One script of `Tests/lua` run through the built binary and checked
/// against its `NAME.expect`.
struct ScriptRun {
    let script: String
    let expectation: Expectation

    /// The `.lua` files of `folder` that have a `.expect` beside them.
    static func scripts(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { name in
            name.hasSuffix(".lua")
                && names.contains(String(name.dropLast(4)) + ".expect")
        }.sorted()
    }

    init(script: String, in folder: URL = TestPaths.luaScripts) throws {
        self.script = script
        let file = folder.appendingPathComponent(String(script.dropLast(4)) + ".expect")
        let text = try String(contentsOf: file, encoding: .utf8)
        self.expectation = try Expectation(parsing: text)
    }

    /// Runs the script and records an issue for each way it differs from
    /// its expectation.
    func check(binary: String, folder: URL = TestPaths.luaScripts) throws {
        let result = try ChildProcess.run(
            binary, name: "luapool",
            arguments: expectation.arguments ?? [script],
            environment: childEnvironment(expectation.environment),
            directory: folder.path,
            stdin: try stdinBytes(folder: folder))
        let command = "luapool " + (expectation.arguments ?? [script]).joined(separator: " ")
        guard !result.timedOut else {
            Issue.record("\(command): no exit within the time limit; killed")
            return
        }
        #expect(result.signal == nil, "\(command): \(result.ending)")
        #expect(result.exitStatus == expectation.status,
                "\(command): exit status; stderr:\n\(result.stderrText)")
        #expect(result.stdoutText == expectation.stdoutText, "\(command): stdout")
        #expect(LinePattern.matches(result.stderrText, expectation.stderr),
                "\(command): stderr\n--- expected (pattern)\n\(expectation.stderr.joined(separator: "\n"))\n--- got\n\(result.stderrText)")
    }

    private func stdinBytes(folder: URL) throws -> [UInt8] {
        if let file = expectation.stdinFile {
            return Array(try Data(contentsOf: folder.appendingPathComponent(file)))
        }
        return Array(expectation.stdinLines.map { $0 + "\n" }.joined().utf8)
    }
}
