// Runs each Tests/lua/compat/*.lua through lua5.4 and through luapool, in
// Tests/lua/compat, with the same arguments, and requires the same stdout,
// the same exit status, and the same stderr once lua5.4's leading
// "lua5.4:" is read as "luapool:". Skipped when lua5.4 is not installed.

import Foundation
import Testing

@Suite("lua5.4 compatibility")
struct CompatTests {
    static let arguments = ["one", "two words", ""]

    @Test("same behaviour as lua5.4",
          .enabled(if: TestPaths.lua54 != nil, "lua5.4 is not installed (set LUA54_BIN to use another path)"),
          arguments: ScriptRun.compatScripts())
    func sameAsLua54(_ script: String) throws {
        let luapool = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let lua54 = try #require(TestPaths.lua54)
        let reference = try run(lua54, name: "lua5.4", script)
        let tested = try run(luapool, name: "luapool", script)
        try #require(!reference.timedOut, "lua5.4 \(script) did not finish")
        #expect(!tested.timedOut, "luapool \(script) did not finish and was killed")
        #expect(tested.stdoutText == reference.stdoutText, "stdout of \(script)")
        #expect(tested.exitStatus == reference.exitStatus && tested.signal == reference.signal,
                "luapool \(tested.ending), lua5.4 \(reference.ending)")
        #expect(tested.stderrText == CompatTests.asLuapool(reference.stderrText), "stderr of \(script)")
    }

    @Test("the compatibility scripts are there")
    func scriptsExist() {
        #expect(ScriptRun.compatScripts().count >= 6, "in \(TestPaths.compatScripts.path)")
    }

    /// lua5.4's stderr with its leading program name replaced.
    static func asLuapool(_ stderr: String) -> String {
        stderr.hasPrefix("lua5.4:") ? "luapool:" + stderr.dropFirst("lua5.4:".count) : stderr
    }

    private func run(_ binary: String, name: String, _ script: String) throws -> ChildProcess.Result {
        try ChildProcess.run(binary, name: name, arguments: [script] + CompatTests.arguments,
                             environment: childEnvironment(), directory: TestPaths.compatScripts.path)
    }
}

extension ScriptRun {
    /// The `.lua` files of `Tests/lua/compat`.
    static func compatScripts() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.compatScripts.path)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted()
    }
}
