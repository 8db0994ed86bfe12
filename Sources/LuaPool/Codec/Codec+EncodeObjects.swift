import Synchronization
import CLua

// The encoder's memory of objects: numbering, references to objects met
// before, the shared flag, and the names of the global table and modules.

extension Encoder {
    /// For the table or function at `index`: writes a reference (or a
    /// name) and returns false when it is known already; otherwise numbers
    /// it as a new object (`objectCount - 1` after the call), checks the
    /// depth and the Lua stack, and returns true for the caller to write
    /// its record, whose tag comes next.
    mutating func beginObject(_ index: Int32, depth: Int) throws(CodecError) -> Bool {
        if !seeded { seedNames() }
        let pointer = lua_topointer(L, index)!
        if let slot = objects.findOrInsert(pointer, .init(a: objectCount, b: out.count)) {
            try writeKnownObject(slot, at: index)
            return false
        }
        objectCount += 1
        guard depth <= Codec.maxDepth else {
            throw .tooDeepToSend()
        }
        guard lua_checkstack(L, 4) != 0 else {
            throw .stackOverflowSending()
        }
        return true
    }

    /// Writes an object met before: a reference, marking the original as
    /// shared; or the global table; or a module, the first time it appears
    /// (the object is at `index`), under the name it keeps.
    mutating func writeKnownObject(_ slot: Int, at index: Int32) throws(CodecError) {
        let known = objects[slot]
        if known.a >= 0 {
            try out.append(Tag.ref, UInt32(0))
            references.append((out.count - 4, known.a))
            markShared(known.a, at: known.b)
        } else if known.a == -1 {
            wroteGlobals = true
            try out.append(Tag.globals)
        } else {
            objects[slot] = .init(a: objectCount, b: out.count)
            objectCount += 1
            try out.append(Tag.module)
            let name = modules[-known.a - 2].withUnsafeBytes { found in
                Codec.moduleName(lua, ofValueAt: index, found: found)
            }
            try appendName(name)
        }
    }

    /// Seeds ``objects`` with the global table and the modules. What it
    /// finds is kept (``ModuleSeed``) while `package.loaded` holds the
    /// same pairs: every message with a table or a function seeds, and
    /// reading the modules' names again was most of a small `apply`'s
    /// encoding.
    mutating func seedNames() {
        seeded = true
        lua_rawgeti(L, LuaState.registryIndex, lua_Integer(LUA_RIDX_GLOBALS))
        _ = objects.findOrInsert(lua_topointer(L, -1)!, .init(a: -1, b: 0))
        lua_settop(L, -2)
        if let seed = ModuleSeed.last, seed.holds(lua) {
            for (pointer, k) in seed.modules { _ = objects.findOrInsert(pointer, .init(a: -2 - k, b: 0)) }
            modules = seed.names
            return
        }
        var found: [(UnsafeRawPointer, Int)] = []
        lua.forEachLoadedModule { name, module in
            let pointer = lua_topointer(L, module)!
            let entry = PointerMap.Value(a: -2 - modules.count, b: 0)
            if let slot = objects.findOrInsert(pointer, entry) {
                // Known under another name: keep the smallest, so the
                // bytes do not depend on table order.
                let k = -objects[slot].a - 2
                if k >= 0, name.lexicographicallyPrecedes(modules[k]) { modules[k] = Array(name) }
            } else {
                found.append((pointer, modules.count))
                modules.append(Array(name))
            }
        }
        ModuleSeed.last = ModuleSeed(lua, modules: found, names: modules)
    }

    /// A name: length:u32, bytes.
    mutating func appendName<C: Collection>(_ name: C) throws(CodecError) where C.Element == UInt8 {
        try out.append(UInt32(name.count))
        for byte in name { try out.append(byte) }
    }

    /// The decoder keeps shared objects in the order their records start
    /// and a reference names one by its place in that order, so each
    /// reference gets its target's rank among the shared objects.
    mutating func patchReferences() {
        guard !references.isEmpty else { return }
        sharedObjects.sort()
        for (offset, object) in references {
            var low = 0, high = sharedObjects.count
            while low < high {
                let middle = (low + high) / 2
                if sharedObjects[middle] < object { low = middle + 1 } else { high = middle }
            }
            out.patch(UInt32(low), at: offset)
        }
    }

    /// Sets the `shared` flag in the tag at `offset` of object `object`.
    mutating func markShared(_ object: Int, at offset: Int) {
        guard out.byte(at: offset) & Tag.shared == 0 else { return }
        out.setBits(Tag.shared, at: offset)
        sharedObjects.append(object)
    }
}

/// The modules ``Encoder/seedNames()`` found (each module's address and
/// its number, and the names by number), with what `package.loaded` held
/// then: the address of every key and value in traversal order, and the
/// bytes of each string key. While a traversal finds the same, the same
/// modules are there under the same names: in any interpreter, as what
/// is compared is the interpreter's own.
final class ModuleSeed: @unchecked Sendable {
    /// The last one made. Encoders may run on several threads (the
    /// tests), so it is taken under a flag; never waited for: a process
    /// forked while another thread held it would wait forever, and an
    /// encoder that finds it taken reads `package.loaded` itself.
    static var last: ModuleSeed? {
        get { withKept { $0 } ?? nil }
        set { _ = withKept { $0 = newValue } }
    }
    private static let busy = Atomic<Bool>(false)
    nonisolated(unsafe) private static var kept: ModuleSeed?

    private static func withKept<R>(_ body: (inout ModuleSeed?) -> R) -> R? {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return nil }
        defer { busy.store(false, ordering: .releasing) }
        return body(&kept)
    }

    let modules: [(UnsafeRawPointer, Int)]
    let names: [[UInt8]]
    private let loaded: UnsafeRawPointer?
    /// Each pair's key and value addresses (0 for a value that is not an
    /// object), the value's type (an object freed and another of another
    /// type made at its address is not the same value: only tables are
    /// modules), and where its key's bytes are in `keyBytes` (-1: not a
    /// string).
    private let pairs: [(key: UInt, value: UInt, type: Int32, offset: Int, length: Int)]
    private let keyBytes: [UInt8]

    init(_ lua: LuaState, modules: [(UnsafeRawPointer, Int)], names: [[UInt8]]) {
        self.modules = modules
        self.names = names
        var pairs: [(key: UInt, value: UInt, type: Int32, offset: Int, length: Int)] = []
        var keyBytes: [UInt8] = []
        loaded = ModuleSeed.traverse(lua) { L in
            var (offset, length) = (-1, 0)
            if lua_type(L, -2) == LUA_TSTRING, let bytes = lua_tolstring(L, -2, &length) {
                offset = keyBytes.count
                keyBytes.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: length))
            }
            pairs.append((ModuleSeed.address(L, -2), ModuleSeed.address(L, -1), lua_type(L, -1), offset, length))
            return true
        }
        self.pairs = pairs
        self.keyBytes = keyBytes
    }

    private static func address(_ L: OpaquePointer, _ index: Int32) -> UInt {
        UInt(bitPattern: lua_topointer(L, index))
    }

    /// Whether `package.loaded` holds what it held when this was made. One
    /// traversal, once per message with a table or a function: kept plain.
    func holds(_ lua: LuaState) -> Bool {
        let L = lua.L
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_checkstack(L, 4) != 0, lua_getfield(L, LuaState.registryIndex, LUA_LOADED_TABLE) == LUA_TTABLE,
              lua_topointer(L, -1) == loaded else { return false }
        return pairs.withUnsafeBufferPointer { pairs in
            keyBytes.withUnsafeBytes { keyBytes in
                var i = 0
                lua_pushnil(L)
                while lua_next(L, base + 1) != 0 {
                    guard i < pairs.count else { return false }
                    let pair = pairs[i]
                    guard pair.key == ModuleSeed.address(L, -2), pair.value == ModuleSeed.address(L, -1),
                          pair.type == lua_type(L, -1) else { return false }
                    if pair.offset >= 0 {
                        // A string freed and another made at its address is
                        // not the same key: its bytes are compared too.
                        var length = 0
                        guard let bytes = lua_tolstring(L, -2, &length), length == pair.length,
                              length == 0 || memcmp(keyBytes.baseAddress! + pair.offset, bytes, length) == 0
                        else { return false }
                    }
                    lua_settop(L, -2)
                    i += 1
                }
                return i == pairs.count
            }
        }
    }

    /// Calls `body` with each key and value of `package.loaded` pushed
    /// (at -2 and -1) until it returns false; returns the table's address
    /// (nil when there is none, or `body` stopped).
    private static func traverse(_ lua: LuaState, _ body: (OpaquePointer) -> Bool) -> UnsafeRawPointer? {
        let L = lua.L
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_checkstack(L, 4) != 0, lua_getfield(L, LuaState.registryIndex, LUA_LOADED_TABLE) == LUA_TTABLE else {
            return nil
        }
        let table = lua_topointer(L, -1)
        lua_pushnil(L)
        while lua_next(L, base + 1) != 0 {
            guard body(L) else { return nil }
            lua_settop(L, -2)
        }
        return table
    }
}
