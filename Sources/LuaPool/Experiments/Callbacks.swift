import CLua

/// `callback` and `error_callback` of the async calls, as Python's. The
/// host has no thread to run them when their result arrives: they run,
/// in completion order, once the wait in which it arrived has returned
/// (any pool call, `get` or `wait`, an `imap` step, `join`), before
/// control goes back to the script and outside the pool's busy section,
/// so a callback may submit more work. An error a callback raises is
/// raised from the call that ran it; the callbacks after it wait for the
/// next call.
enum PendingCallbacks {
    /// An async result with callbacks, kept alive (registry reference to
    /// its Lua object) until they ran.
    struct Entry {
        let result: AsyncResultObject
        let keep: Int32
        /// When its result was seen done (0: not yet).
        var finished = 0
    }

    nonisolated(unsafe) private static var entries: [Entry] = []
    nonisolated(unsafe) private static var finishedCount = 0

    static var isEmpty: Bool { entries.isEmpty }

    /// Keeps the result on top of the stack until its callbacks ran.
    static func add(_ result: AsyncResultObject, _ lua: LuaState) {
        lua.pushValue(at: -1)
        entries.append(Entry(result: result, keep: luaL_ref(lua.L, LuaState.registryIndex)))
    }

    /// Notes which results are done, in the order they are seen to be:
    /// called by the wait as answers arrive.
    static func noteFinished() {
        for i in entries.indices where entries[i].finished == 0 && entries[i].result.isDone {
            finishedCount += 1
            entries[i].finished = finishedCount
        }
    }

    /// Runs the callbacks of the results that are done, in completion
    /// order; raises the first error a callback raises.
    static func run(_ lua: LuaState) throws(LuaRaise) {
        guard !entries.isEmpty, !WorkerPool.isWaiting else { return }
        noteFinished()
        while let next = entries.indices.filter({ entries[$0].finished > 0 })
                .min(by: { entries[$0].finished < entries[$1].finished }) {
            let entry = entries.remove(at: next)
            defer { luaL_unref(lua.L, LuaState.registryIndex, entry.keep) }
            try entry.result.runCallback(lua)
        }
    }
}
