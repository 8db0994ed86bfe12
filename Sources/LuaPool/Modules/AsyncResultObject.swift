import CLua

/// What `apply_async`, `map_async` and `starmap_async` return:
/// `r:get([timeout])`, `r:wait([timeout])`, `r:ready()`, `r:successful()`,
/// as Python's `AsyncResult`.
///
/// The work runs while the script waits in any call of the same pool:
/// the host has no thread of its own to read answers in the background.
final class AsyncResultObject: LuaObject {
    static let typeName = "AsyncResult"

    let workers: WorkerPool
    let job: UInt32
    /// `apply_async`: `get` gives the call's result, not a table.
    let single: Bool

    /// Once collected from the pool: the results table (and the list of
    /// failures, with errors = "collect") or the failure.
    private enum Outcome {
        case results(Int32, failures: Int32?)
        case failure(JobFailure)
    }
    private var outcome: Outcome?
    /// Registry references of `callback` and `error_callback`.
    private var callback: Int32?
    private var errorCallback: Int32?

    init(workers: WorkerPool, job: UInt32, single: Bool) {
        (self.workers, self.job, self.single) = (workers, job, single)
    }

    /// Pushes the object; the Pool object at `pool` is kept alive with it,
    /// so a dropped pool does not end the work.
    /// With callbacks, the object is kept until they ran (see
    /// PendingCallbacks), even if the script drops it.
    func push(onto lua: LuaState, poolAt pool: Int32, callbacks: CallOptions) {
        lua.pushValue(at: pool)
        push(onto: lua, methods: AsyncResultObject.methods, fields: ["pool"])
        (callback, errorCallback) = (callbacks.callback, callbacks.errorCallback)
        if callback != nil || errorCallback != nil { PendingCallbacks.add(self, job: workers.job(job), lua) }
    }

    func finalize(_ lua: LuaState) {
        switch outcome {
        case let .results(ref, failures):
            luaL_unref(lua.L, LuaState.registryIndex, ref)
            if let failures { luaL_unref(lua.L, LuaState.registryIndex, failures) }
        case .failure(let failure): failure.release(lua)
        case nil: workers.cancel(job)
        }
        outcome = nil
        for ref in [callback, errorCallback] {
            if let ref { luaL_unref(lua.L, LuaState.registryIndex, ref) }
        }
        (callback, errorCallback) = (nil, nil)
    }

    /// Takes the outcome from the pool once the job is done.
    private func collect(_ lua: LuaState) {
        guard outcome == nil, workers.isReady(job) else { return }
        switch workers.finish(job) {
        case .failed(let failure):
            outcome = .failure(failure)
        case .values(let count):
            let failures = count > 1 ? luaL_ref(lua.L, LuaState.registryIndex) : nil
            outcome = .results(luaL_ref(lua.L, LuaState.registryIndex), failures: failures)
        }
    }

    /// Pushes what `get()` gives and returns how many values; raises what
    /// it raises.
    private func pushOutcome(_ lua: LuaState) throws(LuaRaise) -> Int32 {
        switch outcome {
        case let .results(ref, failures)?:
            lua.rawGet(lua_Integer(ref), of: LuaState.registryIndex)
            if single { lua.rawGet(1, of: -1) }
            guard let failures else { return 1 }
            lua.rawGet(lua_Integer(failures), of: LuaState.registryIndex)
            return 2
        case .failure(let failure)?:
            throw PoolErrors.raise(failure, lua, release: false)
        case nil:
            return 0
        }
    }

    /// Runs `callback` with what `get()` gives, or `error_callback` with
    /// the error it raises; an error in either is raised.
    func runCallback(_ lua: LuaState) throws(LuaRaise) {
        collect(lua)
        let base = lua.top
        lua.ensureStack(8)
        let count: Int32
        let function: Int32?
        do {
            count = try pushOutcome(lua)
            function = callback
        } catch {
            count = 1
            function = errorCallback
        }
        guard let function else {
            lua.top = base
            return
        }
        lua.rawGet(lua_Integer(function), of: LuaState.registryIndex)
        lua.insert(at: -Int32(count) - 1)
        let status = lua_pcallk(lua.L, count, 0, 0, 0, nil)
        if status != LUA_OK {
            // The callback's error, raised from the call that ran it.
            lua.insert(at: base + 1)
            lua.top = base + 1
            throw LuaRaise()
        }
        lua.top = base
    }

    /// Waits up to `timeout` seconds (nil: no limit); whether it is done.
    private func wait(_ lua: LuaState, timeout: Double?) throws(LuaRaise) -> Bool {
        if outcome == nil, workers.job(job) != nil {
            _ = try PoolCall.wait(lua, nil, workers, timeout: timeout) { workers.isReady(job) }
        }
        collect(lua)
        return outcome != nil
    }

    static let methods: [(String, LuaSwiftFunction)] = [
        ("get", { L in
            resultMethod(L, "get", takes: 1) { result, call throws(LuaRaise) in
                let lua = call.lua
                let timeout = try readTimeout(call, argument: 1)
                guard try result.wait(lua, timeout: timeout) else {
                    throw lua.failure("timeout: the result is not ready after \(formatSeconds(timeout ?? 0)) s")
                }
                return try result.pushOutcome(lua)
            }
        }),
        ("wait", { L in
            resultMethod(L, "wait", takes: 1) { result, call throws(LuaRaise) in
                let timeout = try readTimeout(call, argument: 1)
                call.lua.push(try result.wait(call.lua, timeout: timeout))
                return 1
            }
        }),
        ("ready", { L in
            resultMethod(L, "ready", takes: 0) { result, call throws(LuaRaise) in
                call.lua.push(try result.wait(call.lua, timeout: 0))
                return 1
            }
        }),
        ("successful", { L in
            resultMethod(L, "successful", takes: 0) { result, call throws(LuaRaise) in
                guard try result.wait(call.lua, timeout: 0) else {
                    throw call.lua.failure("the result is not ready")
                }
                if case .results? = result.outcome {
                    call.lua.push(true)
                } else {
                    call.lua.push(false)
                }
                return 1
            }
        }),
    ]
}

/// Runs a bound AsyncResult method that takes `count` arguments (the
/// result not counted); more are refused.
private func resultMethod(
    _ L: OpaquePointer?, _ name: String, takes count: Int32,
    _ body: (AsyncResultObject, LuaMethodCall) throws(LuaRaise) -> Int32
) -> Int32 {
    boundMethod(L, name, AsyncResultObject.self, collected: "the result was collected") { result, call throws(LuaRaise) in
        try call.checkNoArguments(after: count)
        return try PendingCallbacks.around(call.lua) { () throws(LuaRaise) in try body(result, call) }
    }
}
