import CLua

// The options table of a pool call (`p:map(f, xs, {chunksize =, progress
// =, errors =, retries =, checkpoint =, timeout =, memory =})`, `apply`'s
// `{timeout =, memory =}`, the async forms' `callback` and
// `error_callback`), and the same options as a pool's defaults in
// `mp.Pool{...}`. A number (or "auto") where the table goes is the chunksize.

/// Which options a call takes.
enum CallKind {
    /// map, starmap, imap, imap_unordered.
    case mapping
    /// map_async, starmap_async: mapping options and callbacks.
    case mappingAsync
    case apply
    case applyAsync
    /// `mp.Pool{...}`: every option but checkpoint and the callbacks.
    case poolDefaults

    var names: Set<String> {
        let limits: Set<String> = ["timeout", "memory"]
        let mapping = limits.union(["chunksize", "progress", "errors", "retries", "checkpoint"])
        let callbacks: Set<String> = ["callback", "error_callback"]
        switch self {
        case .mapping: return mapping
        case .mappingAsync: return mapping.union(callbacks)
        case .apply: return limits
        case .applyAsync: return limits.union(callbacks)
        case .poolDefaults: return mapping.subtracting(["checkpoint"])
        }
    }
}

/// A call's options, read from its table; registry references for the
/// callbacks (released by their owner).
struct CallOptions {
    /// nil: the call's default (`auto` for map and starmap, 1 for imap).
    var chunkSize: ChunkSize?
    var settings = CallSettings()
    var callback: Int32?
    var errorCallback: Int32?

    /// Reads the option named `key` (its value at `value`) into `self`;
    /// false when `kind` does not take it. `argument` is the argument the
    /// table is, for messages.
    mutating func read(_ lua: LuaState, key: String, value: Int32, kind: CallKind, argument: Int32,
                       count: Int) throws(LuaRaise) -> Bool {
        guard kind.names.contains(key) else { return false }
        func bad(_ expected: String) -> LuaRaise {
            lua.argumentFailure(argument, "option '\(key)' must be \(expected), got \(describe(lua, at: value))")
        }
        if lua.type(at: value) == .nil { return true }
        switch key {
        case "chunksize":
            chunkSize = try readChunkSize(lua, at: value, count: count) { bad("a positive whole number or 'auto'") }
        case "progress":
            switch lua.type(at: value) {
            case .boolean: settings.progress = lua.toBool(at: value) ? .bar : .off
            case .string where lua.toString(at: value) == "log": settings.progress = .log
            default: throw bad("true, false or 'log'")
            }
        case "errors":
            switch lua.type(at: value) == .string ? lua.toString(at: value) : nil {
            case "raise": settings.collect = false
            case "collect": settings.collect = true
            default: throw bad("'raise' or 'collect'")
            }
        case "retries":
            guard lua.type(at: value) == .number, let n = integerValue(lua, at: value), n >= 0, n <= 1000 else {
                throw bad("a whole number from 0 to 1000")
            }
            settings.retries = Int(n)
        case "checkpoint":
            guard lua.type(at: value) == .string, let path = lua.toString(at: value), !path.isEmpty else {
                throw bad("a file name")
            }
            settings.checkpoint = path
        case "timeout":
            guard lua.type(at: value) == .number, let seconds = lua.toNumber(at: value), seconds > 0,
                  seconds.isFinite, seconds < 1e9 else {
                throw bad("a positive number of seconds")
            }
            settings.timeout = seconds
        case "memory":
            guard let bytes = MemorySize.parse(lua, at: value) else {
                throw bad("a number of bytes or a size such as '512MB' or '2GiB'")
            }
            settings.memory = bytes
        case "callback", "error_callback":
            guard lua.isCallable(at: value) else { throw bad("a function") }
            lua.pushValue(at: value)
            let ref = luaL_ref(lua.L, LuaState.registryIndex)
            if key == "callback" { callback = ref } else { errorCallback = ref }
        default:
            return false
        }
        return true
    }

    /// Reads the options table or chunksize at `index` (nil or none: the
    /// defaults), over `defaults`.
    static func read(_ lua: LuaState, at index: Int32, kind: CallKind, defaults: CallOptions,
                     count: Int) throws(LuaRaise) -> CallOptions {
        var options = defaults
        options.callback = nil
        options.errorCallback = nil
        switch lua.type(at: index) {
        case .none, .nil:
            break
        case .number where kind == .mapping || kind == .mappingAsync,
             .string where kind == .mapping || kind == .mappingAsync:
            options.chunkSize = try readChunkSize(lua, at: index, count: count) {
                lua.argumentFailure(index, "chunksize must be a positive whole number or 'auto', got \(describe(lua, at: index))")
            }
        case .table:
            lua.ensureStack(6)
            lua.pushNil()
            while lua.next(of: index) {
                guard lua.type(at: -2) == .string, let key = lua.toString(at: -2) else {
                    let got = lua.typeName(at: -2)
                    options.releaseCallbacks(lua)
                    throw lua.argumentFailure(index, "option names must be strings, got \(got)")
                }
                do throws(LuaRaise) {
                    guard try options.read(lua, key: key, value: lua.top, kind: kind, argument: index, count: count) else {
                        throw lua.argumentFailure(index, "unknown option '\(key)'")
                    }
                } catch {
                    options.releaseCallbacks(lua)
                    throw error
                }
                lua.pop()
            }
        default:
            let expected = kind == .mapping || kind == .mappingAsync ? "number, 'auto' or table" : "table"
            throw lua.typeFailure(index, expected: expected)
        }
        return options
    }

    /// Lets go of the callbacks' references.
    func releaseCallbacks(_ lua: LuaState) {
        for ref in [callback, errorCallback] {
            if let ref { luaL_unref(lua.L, LuaState.registryIndex, ref) }
        }
    }
}

/// `chunksize`: a whole number of at least 1 (one larger than the list is
/// the list's size), or `"auto"`.
private func readChunkSize(_ lua: LuaState, at index: Int32, count: Int,
                           _ bad: () -> LuaRaise) throws(LuaRaise) -> ChunkSize {
    if lua.type(at: index) == .string {
        guard lua.toString(at: index) == "auto" else { throw bad() }
        return .auto
    }
    guard lua.type(at: index) == .number else { throw bad() }
    if let n = integerValue(lua, at: index) {
        guard n >= 1 else { throw bad() }
        return .items(Int(min(n, lua_Integer(max(count, 1)))))
    }
    guard let x = lua.toNumber(at: index), x.isFinite, x == x.rounded(), x >= 1 else { throw bad() }
    return .items(max(count, 1))  // a float beyond the integers
}

/// A number of bytes: a whole number, or a string such as `512MB`,
/// `2GiB`, `100kB` (MB = 10^6, MiB = 2^20; B alone, or no unit, is bytes).
enum MemorySize {
    static func parse(_ lua: LuaState, at index: Int32) -> Int? {
        switch lua.type(at: index) {
        case .number:
            guard let n = integerValue(lua, at: index), n > 0 else { return nil }
            return Int(n)
        case .string:
            return lua.toString(at: index).flatMap(parse)
        default:
            return nil
        }
    }

    static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingBlanks()
        guard let split = trimmed.firstIndex(where: { !($0.isNumber || $0 == ".") }) ?? Optional(trimmed.endIndex),
              let number = Double(trimmed[..<split]), number > 0 else { return nil }
        let units: [String: Double] = [
            "": 1, "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
            "KiB": 1024, "MiB": 1048576, "GiB": 1073741824, "TiB": 1099511627776,
        ]
        let unit = trimmed[split...].trimmingCharacters()
        guard let scale = units[unit] else { return nil }
        let bytes = number * scale
        guard bytes >= 1, bytes < 9e18 else { return nil }
        return Int(bytes)
    }
}

private extension Substring {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }))
    }
}
