import CLua

/// A Swift object that Lua code holds: a full userdata owning one strong
/// reference, released by `__gc`.
///
/// Each object gets a metatable of its own whose methods are closures bound
/// to it, so a script may call them as `obj:m(...)` or as `obj.m(...)`: a
/// bound method drops its first argument when that argument is the object
/// itself (see ``LuaMethodCall``).
protocol LuaObject: AnyObject {
    /// `__name`: the type name in error messages (`Pool`, `AsyncResult`).
    static var typeName: String { get }
    /// Called once, from `__gc` (or not at all if the state is never
    /// closed): free what the object holds in the interpreter.
    func finalize(_ lua: LuaState)
}

extension LuaObject {
    /// Pushes a new userdata for `self` with its own metatable: the bound
    /// `methods`, the plain `metamethods` (`__close`, `__tostring`, which
    /// get the object as argument 1), `__gc`, `__name` and `fields` (values
    /// popped from the stack: the top `fields.count` values, first name for
    /// the lowest), kept alive by the metatable.
    ///
    /// With `properties`, that function is `__index`, with upvalue 1 the
    /// object (as a bound method) and upvalue 2 the metatable, so it finds
    /// methods with ``pushMethod(_:)`` first; `assign`, when given, is
    /// `__newindex`, with upvalue 1 the object.
    func push(onto lua: LuaState, methods: [(String, LuaSwiftFunction)],
              metamethods: [(String, LuaSwiftFunction)] = [], fields: [String] = [],
              properties: LuaSwiftFunction? = nil, assign: LuaSwiftFunction? = nil) {
        let fieldValues = lua.top - Int32(fields.count) + 1
        let block = lua_newuserdatauv(lua.L, MemoryLayout<UnsafeMutableRawPointer?>.size, 0)!
        block.storeBytes(of: Unmanaged.passRetained(self).toOpaque(), as: UnsafeMutableRawPointer?.self)
        let object = lua.top
        lua.ensureStack(6)
        lua.newTable(hash: Int32(methods.count + metamethods.count + fields.count + 5))
        let metatable = lua.top
        for (name, method) in methods {
            lua.pushValue(at: object)
            lua.pushFunction(method, upvalues: 1)
            lua.setField(name, of: metatable)
        }
        for (name, function) in metamethods {
            lua.pushFunction(function)
            lua.setField(name, of: metatable)
        }
        for (k, name) in fields.enumerated() {
            lua.pushValue(at: fieldValues + Int32(k))
            lua.setField(name, of: metatable)
        }
        lua.pushFunction(collectObject)
        lua.setField("__gc", of: metatable)
        lua.push(Self.typeName)
        lua.setField("__name", of: metatable)
        lua.push(lightUserdata: objectMarker)
        lua.setField(objectMarkerKey, of: metatable)
        if let properties {
            lua.pushValue(at: object)
            lua.pushValue(at: metatable)
            lua.pushFunction(properties, upvalues: 2)
        } else {
            lua.pushValue(at: metatable)
        }
        lua.setField("__index", of: metatable)
        if let assign {
            lua.pushValue(at: object)
            lua.pushFunction(assign, upvalues: 1)
            lua.setField("__newindex", of: metatable)
        }
        lua.push(Self.typeName)
        lua.setField("__metatable", of: metatable)
        lua.setMetatable(at: object)
        // Leave only the object, where the first field value was.
        if !fields.isEmpty {
            lua.insert(at: fieldValues)
            lua.top = fieldValues
        }
    }

    /// The object of this type at `index`, or nil (another value, or an
    /// object already collected).
    static func get(_ lua: LuaState, at index: Int32) -> Self? {
        guard let pointer = objectPointer(lua, at: index) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue() as? Self
    }
}

/// The method call a bound method is running: where its arguments start,
/// so that `obj:m(a)` and `obj.m(a)` read `a` alike while error messages
/// count arguments as lauxlib does.
struct LuaMethodCall {
    let lua: LuaState
    /// The stack index of the first argument after the object.
    let base: Int32

    /// For a method bound by ``LuaObject/push(onto:methods:metamethods:fields:)``,
    /// whose upvalue 1 is the object.
    init(_ lua: LuaState) {
        self.lua = lua
        base = lua.rawEqual(1, LuaState.upvalueIndex(1)) ? 2 : 1
    }

    /// The stack index of argument `n` (from 1, the object not counted).
    func argument(_ n: Int32) -> Int32 { base + n - 1 }

    /// The object the method is bound to.
    func object<T: LuaObject>(_ type: T.Type) -> T? {
        T.get(lua, at: LuaState.upvalueIndex(1))
    }
}

/// An error message or value is on the stack, to be raised by returning
/// -1 from the Swift function (see ``LuaState/raise(_:)``).
struct LuaRaise: Error {}

extension LuaState {
    /// Pushes `message` with the caller's position; to throw.
    func failure(_ message: String) -> LuaRaise {
        _ = raise(message)
        return LuaRaise()
    }

    /// `bad argument #n to 'f' (detail)`; to throw.
    func argumentFailure(_ argument: Int32, _ detail: String) -> LuaRaise {
        _ = argumentError(argument, detail)
        return LuaRaise()
    }

    /// `bad argument #n to 'f' (T expected, got U)`; to throw.
    func typeFailure(_ argument: Int32, expected: String) -> LuaRaise {
        _ = typeError(argument, expected: expected)
        return LuaRaise()
    }
}

/// Runs the body of a Swift function that raises by throwing ``LuaRaise``.
/// `name` names it in argument errors when Lua cannot.
func luaFunction(_ L: OpaquePointer?, name: String? = nil,
                 _ body: (LuaState) throws(LuaRaise) -> Int32) -> Int32 {
    guard let L else { return 0 }
    let lua = LuaState(borrowing: L)
    lua.functionName = name
    do {
        return try body(lua)
    } catch {
        return -1
    }
}

/// Runs a method bound to an object of type `T` (its upvalue 1, see
/// ``LuaObject/push(onto:methods:metamethods:fields:)``); raises
/// `collected` when the object is gone.
func boundMethod<T: LuaObject>(
    _ L: OpaquePointer?, _ name: String, _ type: T.Type, collected: String,
    _ body: (T, LuaMethodCall) throws(LuaRaise) -> Int32
) -> Int32 {
    luaFunction(L, name: name) { lua throws(LuaRaise) in
        let call = LuaMethodCall(lua)
        guard let object = call.object(T.self) else { throw lua.failure(collected) }
        return try body(object, call)
    }
}

private let objectMarkerKey = "__luapool"
nonisolated(unsafe) private var objectMarkerByte: UInt8 = 0
nonisolated(unsafe) private let objectMarker = UnsafeMutableRawPointer(&objectMarkerByte)

/// The Swift object's pointer in the userdata at `index`, if it is one of
/// ours and not yet collected.
private func objectPointer(_ lua: LuaState, at index: Int32) -> UnsafeMutableRawPointer? {
    guard lua.type(at: index) == .userdata, let block = lua_touserdata(lua.L, index),
          lua_getmetatable(lua.L, index) != 0 else { return nil }
    lua_getfield(lua.L, -1, objectMarkerKey)
    let marked = lua_touserdata(lua.L, -1) == objectMarker
    lua.pop(2)
    guard marked else { return nil }
    return block.load(as: UnsafeMutableRawPointer?.self)
}

/// `__gc`: finalizes the object and drops the userdata's reference.
private let collectObject: LuaSwiftFunction = { L in
    guard let L, let block = lua_touserdata(L, 1),
          let pointer = block.load(as: UnsafeMutableRawPointer?.self) else { return 0 }
    block.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
    let object = Unmanaged<AnyObject>.fromOpaque(pointer)
    (object.takeUnretainedValue() as? LuaObject)?.finalize(LuaState(borrowing: L))
    object.release()
    return 0
}

/// In a `properties` function (see ``LuaObject/push(onto:methods:metamethods:fields:properties:assign:)``),
/// whose upvalue 2 is the metatable: pushes the method named by the key at
/// index 2 and returns true, or pushes nothing and returns false.
func pushMethod(_ lua: LuaState) -> Bool {
    lua.pushValue(at: 2)
    if lua_rawget(lua.L, LuaState.upvalueIndex(2)) != LUA_TNIL { return true }
    lua.pop()
    return false
}
