import CLua

/// A Lua value pulled into Swift.
///
/// Values with identity (tables, functions, userdata, threads) are held as
/// ``LuaReference``s into the interpreter they came from.
public enum LuaValue {
    case `nil`
    case boolean(Bool)
    case integer(lua_Integer)
    case number(Double)
    /// A Lua string: any bytes, not necessarily UTF-8.
    case string([UInt8])
    case lightUserdata(UnsafeMutableRawPointer?)
    case table(LuaReference)
    case function(LuaReference)
    case userdata(LuaReference)
    case thread(LuaReference)

    /// The Lua type of the value.
    public var type: LuaType {
        switch self {
        case .nil: return .nil
        case .boolean: return .boolean
        case .integer, .number: return .number
        case .string: return .string
        case .lightUserdata: return .lightUserdata
        case .table: return .table
        case .function: return .function
        case .userdata: return .userdata
        case .thread: return .thread
        }
    }

    /// The string's bytes decoded as UTF-8, for `.string` only.
    public var stringValue: String? {
        if case .string(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}

extension LuaValue: Equatable {
    /// Primitive equality, as `rawequal`: numbers compare by value across
    /// integer and float, references by identity.
    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.integer(x), .number(y)), let (.number(y), .integer(x)):
            return Double(exactly: x) == y
        case let (.string(x), .string(y)): return x == y
        case let (.lightUserdata(x), .lightUserdata(y)): return x == y
        case let (.table(x), .table(y)), let (.function(x), .function(y)),
             let (.userdata(x), .userdata(y)), let (.thread(x), .thread(y)):
            return x.isSameObject(as: y)
        default: return false
        }
    }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: lua_Integer) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(Array(value.utf8)) }
}

// Values cross no thread: the host is single-threaded by design (DESIGN.md,
// section 2). Errors must be Sendable, and LuaError carries a LuaValue.
extension LuaValue: @unchecked Sendable {}

/// A Lua object kept alive from Swift through a registry reference.
/// The object is released when the reference is.
public final class LuaReference {
    public let state: LuaState
    private let ref: Int32

    /// References the value at `index` (it stays on the stack).
    init(_ state: LuaState, _ index: Int32) {
        self.state = state
        lua_pushvalue(state.L, index)
        self.ref = luaL_ref(state.L, LuaState.registryIndex)
    }

    deinit {
        luaL_unref(state.L, LuaState.registryIndex, ref)
    }

    /// Pushes the referenced object onto `target`'s stack, which must share
    /// the same global state.
    public func push(onto target: LuaState) {
        lua_rawgeti(target.L, LuaState.registryIndex, lua_Integer(ref))
    }

    /// Whether both reference the very same object.
    public func isSameObject(as other: LuaReference) -> Bool {
        push(onto: state)
        other.push(onto: state)
        defer { state.pop(2) }
        return state.rawEqual(-1, -2)
    }
}
