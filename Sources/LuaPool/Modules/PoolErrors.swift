import CLua

/// How a failed pool call reads in the script.
enum PoolErrors {
    /// Ctrl-C during a pool call: the string `interrupted`, as the
    /// interpreter's own Ctrl-C hook raises (see LuaInterrupt).
    static func interrupted(_ lua: LuaState) -> LuaRaise {
        lua.push(LuaInterrupt.message)
        return LuaRaise()
    }

    /// A pool called from a finalizer or hook while a pool call waits.
    static func busy(_ lua: LuaState) -> LuaRaise {
        lua.failure("the pool is busy: a finalizer or hook called it while it was waiting")
    }

    /// Pushes the error a failed job raises. With `release`, the failure's
    /// registry reference is freed (the caller will not raise it again).
    static func raise(_ failure: JobFailure, _ lua: LuaState, release: Bool) -> LuaRaise {
        switch failure {
        case let .raised(value, traceback, item, worker, pid):
            lua.rawGet(lua_Integer(value), of: LuaState.registryIndex)
            if release { failure.release(lua) }
            switch lua.type(at: -1) {
            case .string, .number:
                let message = lua.toString(at: -1) ?? ""
                lua.pop()
                var text = "\(message) (item \(item) in \(worker), pid \(pid))"
                if let hint = hint(for: message) { text += "\n" + hint }
                if let traceback { text += "\n" + traceback }
                lua.push(text)
            default:
                break  // a table (or other) error value is raised as it is
            }
        case let .died(worker, pid, exit, item, point):
            let when = switch point {
            case .running: "running item \(item)"
            case .after: "after running item \(item), before its result was sent"
            case .before: "before starting item \(item) (twice: the item's message kills its worker)"
            }
            _ = lua.raise("\(worker) (pid \(pid)) died \(when): \(exit)")
        case .interrupted:
            return interrupted(lua)
        case .terminated:
            _ = lua.raise("the pool was terminated")
        case .unsendable(let message), .undecodable(let message), .noWorkers(let message):
            _ = lua.raise(message)
        case let .timedOut(worker, pid, item, seconds):
            lua.push("\(TimeoutMessage.text(seconds)) (item \(item) in \(worker), pid \(pid))")
        case .broken(let reason):
            lua.push(reason)
        }
        return LuaRaise()
    }

    /// The hint for a global that is nil in the worker: a task reads the
    /// script's globals as they are when it runs, so it is nil in the
    /// script too.
    static func hint(for message: String) -> String? {
        guard let name = nilGlobal(in: message) else { return nil }
        return """
            hint: the global '\(name)' is nil in the script as well as in the worker (a task reads \
            the script's globals as they are when it runs); define '\(name)' before the call, or \
            pass the value as an argument
            """
    }

    /// `x` from `attempt to call a nil value (global 'x')` (or to index it).
    static func nilGlobal(in message: String) -> String? {
        let text = Array(message.utf8)
        for prefix in ["attempt to call a nil value (global '", "attempt to index a nil value (global '"] {
            let pattern = Array(prefix.utf8)
            guard text.count > pattern.count else { continue }
            for start in 0...(text.count - pattern.count) where text[start..<(start + pattern.count)].elementsEqual(pattern) {
                let rest = text[(start + pattern.count)...]
                guard let end = rest.firstIndex(of: UInt8(ascii: "'")) else { break }
                return String(decoding: rest[..<end], as: UTF8.self)
            }
        }
        return nil
    }
}
