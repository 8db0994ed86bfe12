import CLua
import Glibc

/// A worker's limits on each task of a call (`timeout =`, `memory =`):
/// armed around the task's protected call, and only there.
///
/// - Time: a count hook on the worker's thread raises `task timed out
///   after N s` once the deadline passed (`clua_timeouthook`); the worker
///   survives. Time spent waiting for the host to answer a global pull
///   does not count. The host kills a worker whose task runs on a second
///   past its limit (stuck in C, or catching the error).
/// - Memory: the task may add at most the cap to what the worker held
///   after a collection at the task's start; past it the allocator
///   refuses and Lua raises `not enough memory`. Allocations outside Lua
///   (C libraries) are not counted.
final class TaskLimits {
    let lua: LuaState
    let progress: UnsafeMutablePointer<WorkerProgress>
    /// The limits of the call whose tasks run now.
    var timeoutNanos: Int64 = 0
    var memoryCap: Int = 0
    /// What the worker's heap held after the last collection at a task's
    /// start (0: none yet in this call).
    private var baseline = 0
    private let limit = UnsafeMutablePointer<clua_TaskLimit>.allocate(capacity: 1)

    init(lua: LuaState, progress: UnsafeMutablePointer<WorkerProgress>) {
        self.lua = lua
        self.progress = progress
        limit.initialize(to: clua_TaskLimit())
    }

    var isActive: Bool { timeoutNanos > 0 || memoryCap > 0 }

    /// Sets the limits of a new call.
    func configure(timeoutNanos: Int64, memoryCap: Int) {
        baseline = 0
        self.timeoutNanos = max(0, timeoutNanos)
        self.memoryCap = max(0, memoryCap)
        // The message the time limit raises (only a limited call has one:
        // formatting it costs more than a quick task).
        guard timeoutNanos > 0 else { return }
        let message = TimeoutMessage.text(Double(timeoutNanos) / 1e9)
        withUnsafeMutableBytes(of: &limit.pointee.message) { room in
            let bytes = Array(message.utf8.prefix(room.count - 1)) + [0]
            room.copyBytes(from: bytes)
        }
    }

    /// Arms the limits just before a task's protected call.
    func begin() {
        if memoryCap > 0 {
            // A full collection per task would cost more than many tasks:
            // it is skipped while the heap grew by less than an eighth of
            // the cap (at most 1 MiB) since the last one.
            let grown = LuaAllocator.inUse - baseline
            if baseline == 0 || grown < 0 || grown > min(1 << 20, memoryCap / 8) {
                clua_collect(lua.L)
                baseline = LuaAllocator.inUse
            }
            LuaAllocator.limit = baseline + memoryCap
        }
        if timeoutNanos > 0 {
            limit.pointee.deadline = Spin.now() + timeoutNanos
            progress.pointee.deadline = limit.pointee.deadline
            limit.pointee.fired = 0
            clua_settimeouthook(lua.L, limit)
        }
    }

    /// Disarms them after the call; the kind of failure a bad status
    /// means: `timeout`, `memory` or `error`.
    @discardableResult
    func end(status: Int32) -> FailureKind {
        var kind = FailureKind.error
        if memoryCap > 0 {
            LuaAllocator.limit = nil
            if status == LUA_ERRMEM {
                kind = .memory
                clua_collect(lua.L)
                baseline = LuaAllocator.inUse
            }
        } else if status == LUA_ERRMEM {
            kind = .memory
        }
        if timeoutNanos > 0 {
            if limit.pointee.fired != 0, status != LUA_OK { kind = .timeout }
            limit.pointee.deadline = 0
            limit.pointee.fired = 0
            progress.pointee.deadline = 0
            clua_cleartimeouthook(lua.L)
        }
        return kind
    }

    /// A pull starts waiting for the host: until ``resume()``, the time
    /// does not count, and the host does not judge the task by it.
    func pause() -> Int64 {
        progress.pointee.deadline = 0
        return Spin.now()
    }

    /// The pull that started waiting at `since` got its answer.
    func resume(since: Int64) {
        guard timeoutNanos > 0, limit.pointee.deadline > 0 else { return }
        limit.pointee.deadline += Spin.now() - since
        progress.pointee.deadline = limit.pointee.deadline
    }
}

/// `task timed out after 5 s`: the error of a task past its time, raised
/// in the worker or, when the host had to kill it, by the host.
public enum TimeoutMessage {
    public static func text(_ seconds: Double) -> String {
        "task timed out after \(formatSeconds(seconds)) s"
    }
}

/// How an item failed, as `errors = "collect"` reports it.
public enum FailureKind: String {
    case error, died, timeout, memory
}

/// `0.5`, `2`, `0.001`: seconds as a script would write them.
func formatSeconds(_ seconds: Double) -> String {
    if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int64(seconds)) }
    return String(seconds)
}
