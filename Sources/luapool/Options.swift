import LuaPool

/// The command line, read the way lua.c reads it (`collectargs`), plus
/// luapool's own `-j N` / `--workers N` and `-h` / `--help`.
struct Options {
    /// An option that runs or changes something, in command-line order.
    enum Action: Equatable {
        case execute(String)   // -e stat
        case library(String)   // -l mod, -l g=mod
        case warningsOn        // -W
    }

    var actions: [Action] = []
    var interactive = false        // -i (shows the version on a terminal)
    var showVersion = false        // -v
    var ignoreEnvironment = false  // -E
    var help = false               // -h, --help
    var workers: Int? = nil        // -j N, --workers N
    var seed: Int64? = nil         // --seed N
    var progress: CallSettings.ProgressMode? = nil  // --progress, --progress=log
    var mpi = false                // --mpi
    /// Index in argv of the script, or nil when there is none.
    var script: Int? = nil

    var hasExecute: Bool {
        actions.contains { if case .execute = $0 { return true } else { return false } }
    }

    /// Why the command line is refused; the text follows `luapool: `.
    enum Failure: Error, Equatable {
        case unrecognized(String)
        case needsArgument(String)
        case badWorkers(option: String, value: String)
        case badSeed(value: String)

        var message: String {
            switch self {
            case .unrecognized(let option):
                return "unrecognized option '\(option)'"
            case .needsArgument(let option):
                return "'\(option)' needs argument"
            case .badWorkers(let option, let value):
                return "bad value '\(value)' for '\(option)' (a whole number from 1 to \(Options.maxWorkers) expected)"
            case .badSeed(let value):
                return "bad value '\(value)' for '--seed' (an integer expected)"
            }
        }
    }

    static let maxWorkers = 4096

    /// Reads `argv` (argv[0] is the program). Options end at the first
    /// argument that is not one, at `--`, or at `-` (stdin as the script).
    static func parse(_ argv: [String]) throws(Failure) -> Options {
        var options = Options()
        var i = 1
        while i < argv.count {
            let arg = argv[i]
            guard arg.hasPrefix("-") else {
                options.script = i
                return options
            }
            switch arg {
            case "-":
                options.script = i
                return options
            case "--":
                options.script = i + 1 < argv.count ? i + 1 : nil
                return options
            case "-E": options.ignoreEnvironment = true
            case "-W": options.actions.append(.warningsOn)
            case "-i": options.interactive = true
            case "-v": options.showVersion = true
            case "-h", "--help": options.help = true
            case "--mpi": options.mpi = true
            case "--progress": options.progress = .bar
            case "--progress=log": options.progress = .log
            default:
                i = try options.parseWithValue(argv, at: i)
            }
            i += 1
        }
        return options
    }

    /// Options that take a value, glued (`-eSTAT`, `-j4`, `--workers=4`) or
    /// as the next argument. Returns the index of the last argument used.
    private mutating func parseWithValue(_ argv: [String], at i: Int) throws(Failure) -> Int {
        let arg = argv[i]
        let (name, glued): (String, String?)
        if let long = ["--workers", "--seed"].first(where: { arg.hasPrefix($0) }) {
            let rest = arg.dropFirst(long.count)
            guard rest.isEmpty || rest.hasPrefix("=") else { throw .unrecognized(arg) }
            (name, glued) = (long, rest.isEmpty ? nil : String(rest.dropFirst()))
        } else if arg.hasPrefix("--") {
            throw .unrecognized(arg)
        } else {
            let rest = arg.dropFirst(2)
            (name, glued) = (String(arg.prefix(2)), rest.isEmpty ? nil : String(rest))
        }
        guard ["-e", "-l", "-j", "--workers", "--seed"].contains(name) else { throw .unrecognized(arg) }
        var used = i
        let value: String
        if let glued {
            value = glued
        } else {
            used += 1
            guard used < argv.count else { throw .needsArgument(name) }
            // As lua.c: another option where the value should be is an error.
            if name == "-e" || name == "-l", argv[used].hasPrefix("-") {
                throw .needsArgument(name)
            }
            value = argv[used]
        }
        switch name {
        case "-e": actions.append(.execute(value))
        case "-l": actions.append(.library(value))
        case "--seed":
            guard let n = Int64(value) else { throw .badSeed(value: value) }
            seed = n
        default:
            guard let n = Int(value), n >= 1, n <= Options.maxWorkers else {
                throw .badWorkers(option: name, value: value)
            }
            workers = n
        }
        return used
    }
}
