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

    /// Once collected from the pool: the results table or the failure.
    private enum Outcome {
        case results(Int32)
        case failure(JobFailure)
    }
    private var outcome: Outcome?

    init(workers: WorkerPool, job: UInt32, single: Bool) {
        (self.workers, self.job, self.single) = (workers, job, single)
    }

    /// Pushes the object; the Pool object at `pool` is kept alive with it,
    /// so a dropped pool does not end the work.
    func push(onto lua: LuaState, poolAt pool: Int32) {
        lua.pushValue(at: pool)
        push(onto: lua, methods: AsyncResultObject.methods, fields: ["pool"])
    }

    func finalize(_ lua: LuaState) {
        switch outcome {
        case .results(let ref): luaL_unref(lua.L, LuaState.registryIndex, ref)
        case .failure(let failure): failure.release(lua)
        case nil: workers.cancel(job)
        }
        outcome = nil
    }

    /// Takes the outcome from the pool once the job is done.
    private func collect(_ lua: LuaState) {
        guard outcome == nil, workers.isReady(job) else { return }
        if let failure = workers.finish(job) {
            outcome = .failure(failure)
        } else {
            outcome = .results(luaL_ref(lua.L, LuaState.registryIndex))
        }
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
                switch result.outcome {
                case .results(let ref)?:
                    lua.rawGet(lua_Integer(ref), of: LuaState.registryIndex)
                    if result.single { lua.rawGet(1, of: -1) }
                    return 1
                case .failure(let failure)?:
                    throw PoolErrors.raise(failure, lua, release: false)
                case nil:
                    return 0
                }
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
        return try body(result, call)
    }
}

/// `0.5`, `2`, `0.001`: seconds as a script would write them.
func formatSeconds(_ seconds: Double) -> String {
    if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int64(seconds)) }
    return String(seconds)
}
