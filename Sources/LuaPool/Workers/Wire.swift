/// The pool's use of the value codec: values on the stack to bytes and
/// back. This is the only place the pool touches the codec.
enum Wire {
    /// A chunk of at most this many items (or results) travels as a list
    /// of values; a larger one as a table with its `n`. Small chunks so
    /// skip building a table on each side.
    static let valueListLimit = 256

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
