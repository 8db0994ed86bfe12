import CLua
import Glibc

/// `callback` and `error_callback` of the async calls, as Python's. The
/// host has no thread to run them when their result arrives: they run,
/// in completion order, once the wait in which it arrived has returned
/// (any pool call, `get` or `wait`, an `imap` step, `join`), before
/// control goes back to the script and outside the pool's busy section,
/// so a callback may submit more work. An error a callback raises is
/// raised from the call that ran it; the callbacks after it wait for the
/// next call. When that call raises an error of its own, its error wins
/// and a callback's error is written to stderr instead.
enum PendingCallbacks {
    /// An async result with callbacks, kept alive (registry reference to
    /// its Lua object) until they ran.
    private struct Entry {
        let result: AsyncResultObject
        let keep: Int32
    }

    nonisolated(unsafe) private static var entries: [Int: Entry] = [:]
    nonisolated(unsafe) private static var nextEntry = 0
    /// Entries whose result is done, in the order they finished.
    nonisolated(unsafe) private static var finished: [Int] = []

    /// Keeps the result on top of the stack until its callbacks ran, and
    /// has `job` say when it is done.
    static func add(_ result: AsyncResultObject, job: Job?, _ lua: LuaState) {
        lua.pushValue(at: -1)
        let id = nextEntry
        nextEntry += 1
        entries[id] = Entry(result: result, keep: luaL_ref(lua.L, LuaState.registryIndex))
        if let job, !job.isDone {
            job.onDone = { finished.append(id) }
        } else {
            finished.append(id)
        }
    }

    /// Runs the callbacks of the results that are done, in completion
    /// order; raises the first error a callback raises.
    static func run(_ lua: LuaState) throws(LuaRaise) {
        guard !finished.isEmpty, !WorkerPool.isWaiting else { return }
        while !finished.isEmpty {
            let id = finished.removeFirst()
            guard let entry = entries.removeValue(forKey: id) else { continue }
            defer { luaL_unref(lua.L, LuaState.registryIndex, entry.keep) }
            try entry.result.runCallback(lua)
        }
    }

    /// Runs `body` (a pool method, a result's method, an `imap` step),
    /// then the callbacks that are due.
    static func around(_ lua: LuaState, _ body: () throws(LuaRaise) -> Int32) throws(LuaRaise) -> Int32 {
        let pushed: Int32
        do {
            pushed = try body()
        } catch {
            // The call's own error (on top of the stack) wins.
            runReporting(lua)
            throw error
        }
        try run(lua)
        return pushed
    }

    /// Runs the callbacks that are due, writing their errors to stderr.
    private static func runReporting(_ lua: LuaState) {
        let base = lua.top
        while !finished.isEmpty {
            do {
                try run(lua)
            } catch {
                let message = lua.toString(at: -1) ?? "(error object is a \(lua.typeNameForError(at: -1)) value)"
                fflush(stdout)
                fputs("luapool: error in a callback (the call that ran it failed too): \(message)\n", stderr)
                fflush(stderr)
            }
            lua.top = base
        }
    }
}
