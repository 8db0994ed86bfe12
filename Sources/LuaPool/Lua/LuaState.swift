import CLua

/// A Lua 5.4 interpreter: the Swift face of a `lua_State`.
///
/// An instance made with ``init()`` owns its state and closes it when it is
/// released. One made with ``init(borrowing:)`` wraps a state owned elsewhere,
/// typically the `lua_State *` a Swift function receives when Lua calls it.
///
/// Every call into Lua from Swift goes through a protected call
/// (``call(arguments:results:)``), so a Lua error never unwinds Swift frames.
public final class LuaState {
    /// The raw `lua_State *`.
    public let L: OpaquePointer
    private let owned: Bool
    private var closed = false
    /// The name of the Swift function running on this wrapper (`map`), for
    /// argument errors when Lua cannot name it (`pcall(pool.map, f, nil)`).
    public var functionName: String?

    /// Creates a new interpreter with no libraries opened.
    ///
    /// Returns nil only when the allocator cannot provide the state's memory.
    /// Wraps `luaL_newstate`.
    public init?() {
        guard let L = luaL_newstate() else { return nil }
        self.L = L
        self.owned = true
        // Probed with the first interpreter, so that processes forked
        // later (a pool's workers) have the answer already.
        _ = LuaState.directArrays
    }

    /// 1 when the codec's loops over runs of numbers read and write a
    /// table's array part in place, 0 when they go through the C API: the
    /// layout of Lua's tables, which is not part of its API, checked once
    /// per process on an interpreter of its own (`clua_arrayprobe` in
    /// CLua/shim.h).
    public static let directArrays: Int32 = {
        guard let L = luaL_newstate() else { return 0 }
        defer { lua_close(L) }
        return clua_arrayprobe(L) != 0 ? 1 : 0
    }()

    /// Wraps a state owned by someone else; releasing the wrapper does not
    /// close it.
    public init(borrowing L: OpaquePointer) {
        self.L = L
        self.owned = false
    }

    deinit {
        close()
    }

    /// Closes an owned state (its finalizers run); later calls do nothing.
    /// The wrapper must not be used afterwards. Wraps `lua_close`.
    public func close() {
        guard owned, !closed else { return }
        closed = true
        lua_close(L)
    }

    /// Opens Lua's standard libraries. Wraps `luaL_openlibs`.
    /// Pushes a new thread (a coroutine's stack) of this interpreter and
    /// returns it, borrowed: it lives while it is on this stack or
    /// otherwise referenced. Wraps `lua_newthread`.
    public func newThread() -> LuaState {
        LuaState(borrowing: lua_newthread(L))
    }

    public func openLibraries() {
        luaL_openlibs(L)
    }

    /// The pseudo-index of the registry.
    public static let registryIndex: Int32 = clua_registryindex()

    /// The pseudo-index of upvalue `i` of the running C function.
    ///
    /// Swift functions pushed with ``pushFunction(_:upvalues:)`` see their
    /// own upvalues from 1 on: upvalue 1 of the underlying C closure holds
    /// the function pointer and is skipped here.
    public static func upvalueIndex(_ i: Int32) -> Int32 {
        clua_upvalueindex(i + 1)
    }

    /// `LUA_MULTRET`: as many results as the call returns.
    public static let multipleResults: Int32 = clua_multret()
}

// MARK: - The stack

extension LuaState {
    /// The index of the top element, which is also the number of elements.
    public var top: Int32 {
        get { lua_gettop(L) }
        set { lua_settop(L, newValue) }
    }

    /// Removes `n` elements from the top.
    public func pop(_ n: Int32 = 1) {
        lua_settop(L, -n - 1)
    }

    /// Turns a relative index into an absolute one. Wraps `lua_absindex`.
    public func absoluteIndex(_ index: Int32) -> Int32 {
        lua_absindex(L, index)
    }

    /// Makes room for `n` more elements; false when the stack cannot grow.
    /// Wraps `lua_checkstack`.
    @discardableResult
    public func ensureStack(_ n: Int32) -> Bool {
        lua_checkstack(L, n) != 0
    }

    /// Moves the top element to `index`, shifting the others up.
    public func insert(at index: Int32) {
        lua_rotate(L, index, 1)
    }

    /// Removes the element at `index`, shifting the others down.
    public func remove(at index: Int32) {
        lua_rotate(L, index, -1)
        lua_settop(L, -2)
    }

    /// The type of the value at `index` (``LuaType/none`` past the top).
    public func type(at index: Int32) -> LuaType {
        LuaType(rawValue: lua_type(L, index)) ?? .none
    }

    /// The name of the type of the value at `index`, as `type()` gives it.
    public func typeName(at index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }

    /// Whether the values at the two indices are primitively equal.
    /// Wraps `lua_rawequal`.
    public func rawEqual(_ a: Int32, _ b: Int32) -> Bool {
        lua_rawequal(L, a, b) != 0
    }
}

/// The basic types of Lua values (`LUA_TNIL` ...).
public enum LuaType: Int32, Sendable {
    case none = -1
    case `nil` = 0
    case boolean = 1
    case lightUserdata = 2
    case number = 3
    case string = 4
    case table = 5
    case function = 6
    case userdata = 7
    case thread = 8
}
