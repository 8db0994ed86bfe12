import Foundation

/// Matching of output against expected lines in which `*` matches any
/// text within one line and a line that is exactly `...` matches any
/// number of whole lines (none included).
enum LinePattern {
    /// Whether `text`, split into lines (a final newline ends the last
    /// line, it does not start another), matches `patterns`.
    static func matches(_ text: String, _ patterns: [String]) -> Bool {
        matches(lines(of: text)[...], patterns[...])
    }

    /// The lines of `text`; "" has none.
    static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func matches(_ lines: ArraySlice<String>, _ patterns: ArraySlice<String>) -> Bool {
        guard let pattern = patterns.first else { return lines.isEmpty }
        if pattern == "..." {
            let rest = patterns.dropFirst()
            return (lines.startIndex...lines.endIndex).contains { matches(lines[$0...], rest) }
        }
        guard let line = lines.first, lineMatches(line, pattern) else { return false }
        return matches(lines.dropFirst(), patterns.dropFirst())
    }

    /// Whether one line matches one pattern line (`*`: any text).
    static func lineMatches(_ line: String, _ pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return line == pattern }
        guard line.hasPrefix(parts.first!), line.hasSuffix(parts.last!),
              line.count >= parts.first!.count + parts.last!.count else { return false }
        var rest = line.dropFirst(parts.first!.count).dropLast(parts.last!.count)
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let found = rest.range(of: middle) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }
}
