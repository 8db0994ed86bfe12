import CLua

extension LuaState {
    /// Pushes `t[key]` for the table at `index` (metamethods may run).
    /// Returns the type of the pushed value.
    @discardableResult
    public func getField(_ key: String, of index: Int32) -> LuaType {
        LuaType(rawValue: lua_getfield(L, index, key)) ?? .nil
    }

    /// Pops a value and sets it as `t[key]` for the table at `index`.
    public func setField(_ key: String, of index: Int32) {
        lua_setfield(L, index, key)
    }

    /// Pushes the global `name` and returns its type.
    @discardableResult
    public func getGlobal(_ name: String) -> LuaType {
        LuaType(rawValue: lua_getglobal(L, name)) ?? .nil
    }

    /// Pops a value and makes it the global `name`.
    public func setGlobal(_ name: String) {
        lua_setglobal(L, name)
    }

    /// Pushes `t[i]` for the table at `index`, without metamethods.
    @discardableResult
    public func rawGet(_ i: lua_Integer, of index: Int32) -> LuaType {
        LuaType(rawValue: lua_rawgeti(L, index, i)) ?? .nil
    }

    /// Pops a value and sets `t[i]` for the table at `index`, without
    /// metamethods.
    public func rawSet(_ i: lua_Integer, of index: Int32) {
        lua_rawseti(L, index, i)
    }

    /// Pops a key and a value (value on top) and sets `t[key] = value`
    /// for the table at `index`, without metamethods.
    public func rawSet(of index: Int32) {
        lua_rawset(L, index)
    }

    /// The raw length (`#` without metamethods). Wraps `lua_rawlen`.
    public func rawLength(at index: Int32) -> Int {
        Int(lua_rawlen(L, index))
    }

    /// Pushes the metatable of the value at `index` and returns true, or
    /// pushes nothing and returns false.
    public func getMetatable(at index: Int32) -> Bool {
        lua_getmetatable(L, index) != 0
    }

    /// Pops a table (or nil) and makes it the metatable of the value at
    /// `index`.
    public func setMetatable(at index: Int32) {
        lua_setmetatable(L, index)
    }

    /// Pushes field `name` of the metatable of the value at `index`, raw,
    /// and returns its type; pushes nothing and returns `.nil` when there
    /// is no such field. Wraps `luaL_getmetafield`.
    @discardableResult
    public func getMetafield(_ name: String, of index: Int32) -> LuaType {
        LuaType(rawValue: luaL_getmetafield(L, index, name)) ?? .nil
    }

    /// Pops a key and pushes the next key/value pair of the table at
    /// `index`; false (nothing pushed) at the end. Wraps `lua_next`.
    public func next(of index: Int32) -> Bool {
        lua_next(L, index) != 0
    }

    /// Stores a value in the registry under `key` (popping it).
    public func setRegistry(_ key: String) {
        lua_setfield(L, LuaState.registryIndex, key)
    }

    /// Pushes the registry's value under `key` and returns its type.
    @discardableResult
    public func getRegistry(_ key: String) -> LuaType {
        LuaType(rawValue: lua_getfield(L, LuaState.registryIndex, key)) ?? .nil
    }
}
