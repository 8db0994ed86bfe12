// Where luapool must behave as lua5.4 does as a program, beyond what the
// compat scripts compare: the program name in messages is argv[0] as
// typed.

import Foundation
import Testing

@Suite("Drop-in for lua5.4")
struct DropInTests {
    /// Runs the built luapool with `name` as its argv[0], in Tests/lua.
    private func run(name: String, _ arguments: [String]) throws -> ChildProcess.Result {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        return try ChildProcess.run(binary, name: name, arguments: arguments,
                                    environment: childEnvironment(), directory: TestPaths.luaScripts.path)
    }

    @Test("messages start with argv[0] as typed", arguments: ["./luapool", "/usr/local/bin/luapool", "lp"])
    func programName(_ name: String) throws {
        let failing = try run(name: name, ["-e", "error('boom')"])
        #expect(failing.exitStatus == 1)
        #expect(LinePattern.lines(of: failing.stderrText).first == "\(name): (command line):1: boom",
                "stderr: \(failing.stderrText)")
        let unknown = try run(name: name, ["-x"])
        #expect(unknown.exitStatus == 1)
        #expect(LinePattern.lines(of: unknown.stderrText).prefix(2) == [
            "\(name): unrecognized option '-x'", "usage: \(name) [options] [script [args]]",
        ], "stderr: \(unknown.stderrText)")
    }

    @Test("an empty argv[0] leaves the name luapool, as lua.c keeps lua")
    func emptyProgramName() throws {
        let result = try run(name: "", ["-e", "error('boom')"])
        #expect(LinePattern.lines(of: result.stderrText).first == "luapool: (command line):1: boom",
                "stderr: \(result.stderrText)")
    }
}
