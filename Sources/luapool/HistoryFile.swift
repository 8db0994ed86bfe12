import CEdit
import Glibc

/// The REPL's history file: `$LUAPOOL_HISTORY`, else `~/.luapool_history`;
/// none when `LUAPOOL_HISTORY` is set but empty (or there is no `HOME`).
///
/// The format is libedit's own (`_HiStOrY_V2_`, then one entry a line with
/// blanks, backslashes and control bytes as `\ooo` octal escapes), so a
/// chunk of several lines is one entry. Each entry is appended as soon as
/// it is read, so a REPL that is killed loses nothing; a file grown past
/// twice ``limit`` entries is cut back to the last ``limit`` on loading.
struct HistoryFile {
    let path: String
    static let limit: Int32 = 1000
    private static let header = "_HiStOrY_V2_\n"

    static func fromEnvironment() -> HistoryFile? {
        if let value = getenv("LUAPOOL_HISTORY") {
            let path = String(cString: value)
            return path.isEmpty ? nil : HistoryFile(path: path)
        }
        guard let home = getenv("HOME"), home.pointee != 0 else { return nil }
        return HistoryFile(path: String(cString: home) + "/.luapool_history")
    }

    /// Loads the file's entries into `history` (a missing file is empty).
    func load(into history: OpaquePointer, event: inout HistEvent) {
        guard cedit_history_load(history, &event, path) >= 0 else { return }
        if lineCount() > 2 * Int(HistoryFile.limit) {
            _ = cedit_history_save(history, &event, path)
        }
    }

    /// Appends one entry, writing the header first into an empty file.
    func append(_ entry: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = lseek(fd, 0, SEEK_END) == 0 ? Array(HistoryFile.header.utf8) : []
        bytes += HistoryFile.encode(entry) + [0x0A]
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            written += n
        }
    }

    /// An entry as one line of the file: `\ooo` for blanks, backslashes
    /// and control bytes, which libedit's loader (`strunvis`) decodes.
    static func encode(_ entry: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in entry.utf8 {
            if byte <= 0x20 || byte == 0x5C || byte == 0x7F {
                out += [0x5C, 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            } else {
                out.append(byte)
            }
        }
        return out
    }

    private func lineCount() -> Int {
        guard let file = fopen(path, "r") else { return 0 }
        defer { fclose(file) }
        var count = 0
        while true {
            let c = getc(file)
            if c == EOF { return count }
            if c == 0x0A { count += 1 }
        }
    }
}
