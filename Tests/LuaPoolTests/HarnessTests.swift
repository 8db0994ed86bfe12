// Tests of the test harness itself: the .expect parser, shell-style word
// splitting, the stderr patterns, and the child-process runner.

import Foundation
import Testing

@Suite("Harness: .expect files")
struct ExpectationParsingTests {
    @Test func defaults() throws {
        let e = try Expectation(parsing: "# nothing but a comment\n")
        #expect(e.arguments == nil)
        #expect(e.status == 0)
        #expect(e.stdout.isEmpty && e.stderr.isEmpty && e.stdinLines.isEmpty)
        #expect(e.environment.isEmpty && e.knownBug == nil && e.stdinFile == nil)
    }

    @Test func everyDirective() throws {
        let e = try Expectation(parsing: """
            # comment
            args: -e "print(1)" x.lua 'a b'
            env: LUA_PATH=./?.lua;;
            env: EMPTY=
            stdin: first line
            stdin:
            stdin-file: input.txt
            status: 3
            known-bug: it breaks
            stdout:
            one
            # not a comment here

            stderr:
            stdin:1: oops
            ...
            """)
        #expect(e.arguments == ["-e", "print(1)", "x.lua", "a b"])
        #expect(e.environment == ["LUA_PATH": "./?.lua;;", "EMPTY": ""])
        #expect(e.stdinLines == ["first line", ""])
        #expect(e.stdinFile == "input.txt")
        #expect(e.status == 3)
        #expect(e.knownBug == "it breaks")
        #expect(e.stdout == ["one", "# not a comment here", ""])
        #expect(e.stdoutText == "one\n# not a comment here\n\n")
        #expect(e.stderr == ["stdin:1: oops", "..."])
    }

    @Test func emptyArgsLineMeansNoArguments() throws {
        #expect(try Expectation(parsing: "args:\n").arguments == [])
    }

    @Test func sectionEndsAtNextDirective() throws {
        let e = try Expectation(parsing: "stdout:\na\nstatus: 2\nstderr:\nb\n")
        #expect(e.stdout == ["a"])
        #expect(e.status == 2)
        #expect(e.stderr == ["b"])
    }

    @Test(arguments: ["bogus line", "status: one", "env: =x", "args: 'open", "stdout: text"])
    func refuses(_ text: String) {
        #expect(throws: Expectation.ParseError.self) { try Expectation(parsing: text) }
    }
}

@Suite("Harness: shell words")
struct ShellWordsTests {
    @Test(arguments: [
        ("a b  c", ["a", "b", "c"]),
        ("-e \"print('x')\" s.lua", ["-e", "print('x')", "s.lua"]),
        ("'it''s' \"q\\\"uote\"", ["its", "q\"uote"]),
        ("'' \"\" x", ["", "", "x"]),
        ("a\\ b \"c\\d\"", ["a b", "c\\d"]),
        ("-eprint('a b')", ["-eprint(a b)"]),
        ("", []),
    ])
    func splits(_ text: String, _ words: [String]) throws {
        #expect(try shellWords(text) == words)
    }

    @Test(arguments: ["'open", "\"open", "trailing\\"])
    func refusesUnterminated(_ text: String) {
        #expect(throws: ShellWordsError.self) { try shellWords(text) }
    }
}

@Suite("Harness: stderr patterns")
struct LinePatternTests {
    @Test func exactLines() {
        #expect(LinePattern.matches("a\nb\n", ["a", "b"]))
        #expect(LinePattern.matches("a\nb", ["a", "b"]))
        #expect(!LinePattern.matches("a\nb\n", ["a"]))
        #expect(!LinePattern.matches("a\n", ["a", "b"]))
        #expect(LinePattern.matches("", []))
        #expect(!LinePattern.matches("x\n", []))
        #expect(LinePattern.matches("\n", [""]))
    }

    @Test func starWithinOneLine() {
        #expect(LinePattern.lineMatches("script.lua:3: boom", "*:3: boom"))
        #expect(LinePattern.lineMatches("abc", "a*c"))
        #expect(LinePattern.lineMatches("ac", "a*c"))
        #expect(LinePattern.lineMatches("a-b-c", "a*b*c"))
        #expect(LinePattern.lineMatches("anything", "*"))
        #expect(!LinePattern.lineMatches("abc", "a*d"))
        #expect(!LinePattern.lineMatches("a", "a*a"))
        #expect(!LinePattern.matches("a\nb\n", ["a*b"]))
    }

    @Test func ellipsisSpansLines() {
        #expect(LinePattern.matches("head\nx\ny\ntail\n", ["head", "...", "tail"]))
        #expect(LinePattern.matches("head\ntail\n", ["head", "...", "tail"]))
        #expect(LinePattern.matches("head\n", ["head", "..."]))
        #expect(LinePattern.matches("", ["..."]))
        #expect(!LinePattern.matches("head\nx\n", ["head", "...", "tail"]))
        #expect(LinePattern.matches("a\nb\na\nc\n", ["...", "a", "c"]))
    }
}

@Suite("Harness: child processes")
struct ChildProcessTests {
    @Test func capturesOutputStatusAndStdin() throws {
        let result = try ChildProcess.run(
            "/bin/sh", name: "sh", arguments: ["-c", "cat; echo err >&2; exit 7"],
            environment: childEnvironment(), stdin: Array("in\n".utf8))
        #expect(result.stdoutText == "in\n")
        #expect(result.stderrText == "err\n")
        #expect(result.exitStatus == 7)
        #expect(result.signal == nil && !result.timedOut)
    }

    @Test func runsInTheGivenDirectoryWithTheGivenEnvironment() throws {
        let result = try ChildProcess.run(
            "/bin/sh", name: "sh", arguments: ["-c", "pwd; echo \"$X\" \"${LUA_INIT-unset}\""],
            environment: childEnvironment(["X": "set"]), directory: "/tmp")
        #expect(result.stdoutText == "/tmp\nset unset\n")
    }

    @Test func stdinIsNotATerminal() throws {
        let result = try ChildProcess.run(
            "/bin/sh", name: "sh", arguments: ["-c", "test -t 0 || echo no tty"],
            environment: childEnvironment())
        #expect(result.stdoutText == "no tty\n")
    }

    @Test func killsAChildThatOverruns() throws {
        let result = try ChildProcess.run(
            "/bin/sh", name: "sh", arguments: ["-c", "echo started; exec sleep 30"],
            environment: childEnvironment(), timeout: 0.5)
        #expect(result.timedOut)
        #expect(result.stdoutText == "started\n")
    }

    @Test func reportsASignal() throws {
        let result = try ChildProcess.run(
            "/bin/sh", name: "sh", arguments: ["-c", "kill -TERM $$"],
            environment: childEnvironment())
        #expect(result.signal == SIGTERM)
        #expect(result.exitStatus == nil)
    }

    @Test func refusesAMissingProgram() {
        #expect(throws: ChildProcess.SpawnError.self) {
            try ChildProcess.run("/no/such/program", name: "x", arguments: [], environment: [:])
        }
    }
}
