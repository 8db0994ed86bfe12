import CLua

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

    /// Appends the codec bytes of `t[first ..< first + count]` of the table
    /// at `table`, as the list `{..., n = count}`.
    static func encodeSlice(_ lua: LuaState, table: Int32, first: lua_Integer, count: Int,
                            into buffer: inout [UInt8]) throws(CodecError) {
        try Codec.withEncodedSlice(lua, table: table, first: first, count: count) { buffer.append(contentsOf: $0) }
    }

    /// Stores the items of the list in `bytes` into the table at `table`
    /// from index `first`; returns how many.
    static func decodeSlice(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer, into table: Int32,
                            at first: lua_Integer) throws(CodecError) -> Int {
        try Codec.decodeSlice(lua, bytes, into: table, at: first)
    }

    /// Reads the items of the list in `bytes` one at a time.
    static func listReader(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Codec.ListReader {
        try Codec.ListReader(lua, bytes)
    }

    /// Writes a list of `count` items one at a time.
    static func listWriter(_ lua: LuaState, count: Int) throws(CodecError) -> Codec.ListWriter {
        try Codec.ListWriter(lua, count: count)
    }

    /// Pushes the values in `bytes` and returns how many.
    static func decode(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Int32 {
        try Codec.decode(lua, bytes)
    }
}
