// Out of memory while encoding: Lua's `not enough memory` error, never a
// trap. luapool runs under `ulimit -v` with room for the value but not for
// its encoding.

import Foundation
import Testing

@Suite("Memory limits")
struct MemoryLimitTests {
    /// Address space for the process: about 20 MB is luapool itself, 100 MB
    /// the value below; encoding it needs 100 MB more.
    static let kilobytes = 160_000

    /// 100 strings of 1 MB each: made without ever needing twice their
    /// size, as one 100 MB string would.
    static let value = """
        local t = {}
        for i = 1, 100 do t[i] = string.rep(string.char(64 + i % 26), 1e6) end
        collectgarbage()
        """

    /// Runs `luapool arguments...` under the memory limit.
    private func run(_ arguments: [String]) throws -> ChildProcess.Result {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        return try ChildProcess.run(
            "/bin/sh", name: "sh",
            arguments: ["-c", "ulimit -v \(MemoryLimitTests.kilobytes) && exec \"$@\"", "sh", binary] + arguments,
            environment: childEnvironment(), timeout: 30)
    }

    @Test("dumps: not enough memory, caught by pcall")
    func dumpsCaught() throws {
        let result = try run(["-e", MemoryLimitTests.value + """
            local mp = require "multiprocessing"
            print(pcall(mp.dumps, t))
            print(#mp.dumps({1, 2, 3}))
            """])
        #expect(result.signal == nil, "luapool \(result.ending); stderr: \(result.stderrText)")
        #expect(result.exitStatus == 0)
        #expect(result.stdoutText == "false\tnot enough memory\n22\n")
        #expect(result.stderrText == "")
    }

    @Test("dumps: not enough memory, uncaught: exit status 1")
    func dumpsUncaught() throws {
        let result = try run(["-e", MemoryLimitTests.value + """
            local mp = require "multiprocessing"
            mp.dumps(t)
            """])
        #expect(result.signal == nil, "luapool \(result.ending); stderr: \(result.stderrText)")
        #expect(result.exitStatus == 1)
        #expect(result.stdoutText == "")
        #expect(LinePattern.matches(result.stderrText, ["*luapool: not enough memory", "..."]),
                "stderr: \(result.stderrText)")
    }

    @Test("a pool call's items and a worker's results: not enough memory")
    func poolCall() throws {
        // The pool starts before the value exists: its worker has the room.
        let result = try run(["-j", "1", "-e", "print(pool.apply(math.max, {1, 2}))\n" + MemoryLimitTests.value + """
            print(pcall(pool.apply, function(t) return #t end, {t}))
            print(pcall(pool.map, function(s) return #s end, t, 100))
            t = nil
            collectgarbage()
            local ok, message = pcall(pool.apply, function()
              \(MemoryLimitTests.value)
              return t
            end)
            print(ok, (message:gsub("pid %d+", "pid P")))
            print(pool.apply(math.max, {3, 4}))
            """])
        #expect(result.signal == nil, "luapool \(result.ending); stderr: \(result.stderrText)")
        #expect(result.exitStatus == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == """
            2
            false\tnot enough memory
            false\tnot enough memory
            false\tnot enough memory (in the result of item 1) (item 1 in PoolWorker-1, pid P)
            4

            """)
    }

    @Test("an answer the host has no room to receive: not enough memory, the pool goes on")
    func answerTooLargeForTheHost() throws {
        // The worker starts small and makes a 35 MB answer; the host, with
        // its 130 MB, has no room left to receive it.
        let result = try run(["-j", "1", "-e", "print(pool.apply(math.max, {1, 2}))\n" + MemoryLimitTests.value + """
            local more = {}
            for i = 1, 30 do more[i] = string.rep("y", 1e6) .. i end
            local ok, message = pcall(pool.apply, function() return string.rep("x", 35e6) end)
            print(ok, message)
            t, more = nil, nil
            collectgarbage()
            print(pool.apply(math.max, {3, 4}))
            """])
        #expect(result.signal == nil, "luapool \(result.ending); stderr: \(result.stderrText)")
        #expect(result.exitStatus == 0, "stderr: \(result.stderrText)")
        #expect(result.stdoutText == """
            2
            false\tcannot receive the result of item 1: not enough memory
            4

            """)
    }
}
