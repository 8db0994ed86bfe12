/// The pool's use of the value codec: values on the stack to bytes and
/// back. This is the only place the pool touches the codec.
///
/// Until the codec lands, both directions refuse every value, so the pool
/// (not yet reachable from Lua) can be built and reviewed.
enum Wire {
    /// Appends the codec bytes of the `count` values on top of the stack,
    /// leaving them there.
    static func encode(_ lua: LuaState, count: Int32, into buffer: inout [UInt8]) throws(WireError) {
        throw WireError(message: "cannot send values: the codec is not available")
    }

    /// Pushes the values in `bytes` and returns how many.
    static func decode(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) throws(WireError) -> Int32 {
        throw WireError(message: "bad data: the codec is not available")
    }
}

struct WireError: Error {
    let message: String
}
