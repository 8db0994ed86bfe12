// The manual page (docs/luapool.1) says what README.md and `--help` say:
// the same option texts, environment variables, exit statuses and pool
// methods. The page is read as groff renders it, in plain ASCII.

import Foundation
import Testing

@Suite("The manual page", .enabled(if: TestPaths.groff != nil, "groff is not installed"))
struct ManPageTests {
    private static let page = TestPaths.repository.appendingPathComponent("docs/luapool.1").path

    @Test("renders without warnings, with the sections of a manual page in order")
    func sections() throws {
        let check = try ChildProcess.run(try #require(TestPaths.groff), name: "groff",
                                         arguments: ["-man", "-Tascii", "-ww", "-z", Self.page],
                                         environment: childEnvironment())
        #expect(check.exitStatus == 0 && check.stderrText.isEmpty, "groff: \(check.stderrText)")
        let headings = try rendered().map(\.heading)
        #expect(headings == ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "EXIT STATUS",
                             "THE LUA API IN BRIEF", "FILES", "SEE ALSO"])
    }

    @Test("NAME is the one line whatis and apropos read")
    func name() throws {
        let name = try paragraphs(of: "NAME")
        #expect(name == ["luapool - run Lua 5.4 scripts with a pool of worker processes"])
        guard let lexgrog = TestPaths.onPath("lexgrog") else { return }
        let result = try ChildProcess.run(lexgrog, name: "lexgrog", arguments: [Self.page],
                                          environment: childEnvironment())
        #expect(result.stdoutText.contains("\"luapool - run Lua 5.4 scripts"), "lexgrog: \(result.stdoutText)")
    }

    @Test("every option, environment variable and pool method of the README, in the same words", arguments: [
        ("### Options", "OPTIONS", 14),
        ("Environment:", "ENVIRONMENT", 9),
        ("### `require \"multiprocessing\"`", "THE LUA API IN BRIEF", 16),
    ])
    func readmeRows(heading: String, section: String, count: Int) throws {
        let rows = try readmeTable(after: heading)
        #expect(rows.count == count)
        let page = try paragraphs(of: section)
        for row in rows {
            let found = page.contains("\(row[0]) \(row[1])")
            #expect(found, "not in \(section): \(row[0]) \(row[1])")
        }
    }

    @Test("every exit status of the README, for the same cases")
    func exitStatuses() throws {
        let rows = try readmeTable(after: "### Exit status and errors")
        #expect(rows.count >= 10)
        let page = try paragraphs(of: "EXIT STATUS")
        for row in rows {
            let (what, status) = (row[0], row[2])
            let entry = page.first { $0.hasPrefix(status + " ") && $0.contains(what) }
            #expect(entry != nil, "no EXIT STATUS entry \(status) for: \(what)")
        }
    }

    @Test("every option and environment variable of --help")
    func help() throws {
        let binary = try #require(TestPaths.luapool, "\(TestPaths.luapoolMissing)")
        let help = try ChildProcess.run(binary, name: "luapool", arguments: ["--help"],
                                        environment: childEnvironment())
        #expect(help.exitStatus == 0)
        let lines = LinePattern.lines(of: help.stdoutText)
        let split = try #require(lines.firstIndex(of: "Environment:"))

        let options = lines[..<split].compactMap { line -> String? in
            guard line.hasPrefix("  -") else { return nil }
            return line.dropFirst(2).components(separatedBy: "  ").first
        }
        #expect(options.count == 14, "options in --help: \(options)")
        let optionEntries = try paragraphs(of: "OPTIONS")
        for option in options {
            let found = optionEntries.contains { $0.hasPrefix(option + " ") || $0.hasPrefix(option + ",") }
            #expect(found, "not in OPTIONS: \(option)")
        }
        #expect(optionEntries.contains { $0.hasPrefix("-j N, --workers N ") })

        let variables = lines[split...].flatMap { $0.split(whereSeparator: { " ,".contains($0) }) }
            .filter { $0.count > 3 && $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } }
            .map(String.init)
        #expect(variables.count == 12, "variables in --help: \(variables)")
        let environment = try paragraphs(of: "ENVIRONMENT").joined(separator: " ")
            .split(whereSeparator: { " ,/".contains($0) })
        for variable in variables {
            let found = environment.contains(Substring(variable))
            #expect(found, "not in ENVIRONMENT: \(variable)")
        }
    }

    // MARK: - Reading the page and the README

    /// The rendered page by section: its heading and its paragraphs, each
    /// on one line with runs of white space made one space.
    private func rendered() throws -> [(heading: String, paragraphs: [String])] {
        let result = try ChildProcess.run(try #require(TestPaths.groff), name: "groff",
                                          arguments: ["-man", "-Tascii", "-P-cbou", "-rLL=2000n", Self.page],
                                          environment: childEnvironment())
        #expect(result.exitStatus == 0, "groff: \(result.ending)")
        var sections: [(heading: String, paragraphs: [String])] = []
        var paragraph: [String] = []
        func endParagraph() {
            let text = paragraph.joined(separator: " ").split(separator: " ").joined(separator: " ")
            if !text.isEmpty, !sections.isEmpty { sections[sections.count - 1].paragraphs.append(text) }
            paragraph = []
        }
        for line in LinePattern.lines(of: result.stdoutText) {
            if let first = line.first, first != " ", line.allSatisfy({ $0.isUppercase || $0 == " " }) {
                endParagraph()
                sections.append((line, []))
            } else if line.trimmingCharacters(in: .whitespaces).isEmpty {
                endParagraph()
            } else {
                paragraph.append(line)
            }
        }
        endParagraph()
        return sections
    }

    private func paragraphs(of heading: String) throws -> [String] {
        try #require(try rendered().first { $0.heading == heading }, "no section \(heading)").paragraphs
    }

    /// The rows of the first table after the line `heading` of README.md,
    /// without its header, each cell's markdown (code spans, bold) taken out
    /// (these tables have no `|` inside a cell).
    private func readmeTable(after heading: String) throws -> [[String]] {
        let readme = try String(contentsOf: TestPaths.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = LinePattern.lines(of: readme)
        let start = try #require(lines.firstIndex(of: heading), "README.md has no line \(heading)")
        let table = lines[start...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        return table.map { row in
            row.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "**", with: "")
                    .trimmingCharacters(in: .whitespaces)
            }
        }
    }
}
