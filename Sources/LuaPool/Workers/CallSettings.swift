import Glibc

/// How one call runs, beyond its function and items: what scripted
/// experiments ask of it (README, "Scripted experiments"). The pool's
/// defaults, then the call's own options table, make it.
public struct CallSettings {
    /// A failing item does not stop the call: the failures come back as a
    /// list beside the results.
    public var collect = false
    /// How often an item whose worker died is run again, on another
    /// worker, before it counts as failed (nil: 0 when raising, 1 when
    /// collecting).
    public var retries: Int?
    /// The longest a task may run, in seconds.
    public var timeout: Double?
    /// The most bytes a task may add to its worker's Lua heap.
    public var memory: Int?
    /// Draw progress: on a terminal, or as log lines (nil: as the script
    /// says, `--progress`).
    public var progress: ProgressMode?
    /// The file finished results are appended to, and read back from.
    public var checkpoint: String?

    public init() {}

    /// The retries in effect.
    public var retriesInEffect: Int { retries ?? (collect ? 1 : 0) }

    /// The call goes on after a worker's death (collect or retries).
    var rescues: Bool { collect || retriesInEffect > 0 }

    public enum ProgressMode: Equatable {
        case off
        /// A bar on standard error when it is a terminal, else nothing.
        case bar
        /// A plain line at most every 5 seconds, wherever stderr goes.
        case log
    }
}

/// What the script's command line says for every call: `--progress`,
/// else `LUAPOOL_PROGRESS` (`1` a bar, `log` log lines, `0` or empty
/// nothing), unless luapool runs with `-E`.
public enum ScriptDefaults {
    /// Set from the command line.
    nonisolated(unsafe) public static var progress: CallSettings.ProgressMode?
    /// Whether the environment is read (not under `-E`).
    nonisolated(unsafe) public static var readsEnvironment = true

    /// The progress of a call that does not say: nil when off.
    static func progressMode() throws(ProgressVariableError) -> CallSettings.ProgressMode? {
        if let progress { return progress }
        guard readsEnvironment, let raw = getenv("LUAPOOL_PROGRESS") else { return nil }
        let text = String(String(cString: raw).trimmingBlanks())
        switch text.lowercased() {
        case "", "0", "false", "no", "off": return nil
        case "1", "true", "yes", "on", "bar": return .bar
        case "log": return .log
        default: throw ProgressVariableError(value: text)
        }
    }

    struct ProgressVariableError: Error {
        let value: String
        var message: String { "LUAPOOL_PROGRESS must be 1, 0 or log, got '\(value)'" }
    }
}

/// A call's chunksize: a number of items, or `"auto"`, the pool's choice
/// (see ``WorkerPool/defaultChunkSize(for:itemNanos:)``).
public enum ChunkSize: Equatable, Sendable {
    case auto
    case items(Int)

    /// The number of items; nil for `auto`.
    public var items: Int? {
        if case .items(let n) = self { return n }
        return nil
    }
}
