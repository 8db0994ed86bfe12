// Runs every Tests/lua/NAME.lua that has a Tests/lua/NAME.expect beside it
// through the built luapool binary, in Tests/lua, and checks stdout
// (exactly), stderr (against a pattern) and the exit status.
//
// The NAME.expect format (also in Tests/lua/README.md):
//
//   # comment
//   args: -e "print(1)" NAME.lua a b   words split shell-style ('...', "...",
//                                      \x); default: just NAME.lua
//   env: NAME=value                    may repeat; LUA_INIT, LUA_INIT_5_4,
//                                      LUA_PATH*, LUA_CPATH*, LUAPOOL_* are
//                                      removed from the child's environment
//                                      unless set here
//   stdin: one line of input           may repeat, each adds a line; or
//   stdin-file: other.txt              (default: empty standard input)
//   status: 1                          the exit status (default 0)
//   known-bug: what is wrong           the case is expected to fail until
//                                      that bug is fixed
//   stdout:
//   exact lines, to the next directive or the end of the file
//   stderr:
//   lines where `*` matches any text within one line and a line `...`
//   matches any number of lines; no stderr section: stderr must be empty
//
// A directive is its name, a colon, then a blank or the end of the line;
// inside stdout/stderr every other line is literal (`stdin:1: oops` too).
//
// The child runs with argv[0] = "luapool" (so arg[-n] is "luapool"), stdin
// from a file (never a terminal) and a 10 s limit, after which it is killed.

import Foundation
import Testing

@Suite("Lua scripts run by the luapool binary")
struct ScriptTests {
    @Test("Tests/lua script", arguments: ScriptRun.scripts(in: TestPaths.luaScripts))
    func script(_ name: String) throws {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let run = try ScriptRun(script: name)
        if let bug = run.expectation.knownBug {
            withKnownIssue("\(bug)") { try run.check(binary: binary) }
        } else {
            try run.check(binary: binary)
        }
    }

    @Test("every Tests/lua/*.lua has its expectation file")
    func scriptsHaveExpectations() throws {
        let folder = TestPaths.luaScripts
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let scripts = names.filter { $0.hasSuffix(".lua") }
        #expect(!scripts.isEmpty, "no scripts found in \(folder.path)")
        for script in scripts {
            #expect(names.contains(String(script.dropLast(4)) + ".expect"),
                    "\(script) has no .expect (files the cases use belong in helpers/)")
        }
    }
}
