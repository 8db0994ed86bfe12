import CLua

/// luapool's version and the Lua it embeds.
public enum LuaPoolVersion {
    public static let number = "0.1.0"

    /// `luapool 0.1.0 -- Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio`
    public static var banner: String {
        "luapool \(number) -- " + String(cString: clua_copyright())
    }
}
