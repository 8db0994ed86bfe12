/// The pool's use of the value codec: values on the stack to bytes and
/// back. This is the only place the pool touches the codec.
enum Wire {
    /// Appends the codec bytes of the `count` values on top of the stack,
    /// leaving them there.
    static func encode(_ lua: LuaState, count: Int32, into buffer: inout [UInt8]) throws(CodecError) {
        try Codec.withEncoded(lua, topValues: count) { buffer.append(contentsOf: $0) }
    }

    /// Pushes the values in `bytes` and returns how many.
    static func decode(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Int32 {
        try Codec.decode(lua, bytes)
    }
}
