import CLua
import Glibc

/// The pool's use of the value codec: values on the stack to bytes and
/// back. This is the only place the pool touches the codec.
///
/// Every message it writes fits in a frame: one longer than
/// ``maxMessageLength`` is refused with `cannot send value of N bytes (the
/// limit is L bytes)`, and memory that cannot be had is `not enough
/// memory`, never a trap.
enum Wire {
    /// A chunk of at most this many items (or results) travels as a list
    /// of values; a larger one as a table with its `n`. Small chunks so
    /// skip building a table on each side.
    static let valueListLimit = 16

    /// Room kept in a frame for the message's fixed fields (a
    /// ``MessageHeader``) ahead of the codec bytes.
    static let headerRoom = 64

    /// The most codec bytes one message may take, so that its frame stays
    /// within ``Frame/maxLength``.
    static let maxMessageLength = Frame.maxLength - headerRoom

    /// Appends the codec bytes of the `count` values on top of the stack,
    /// leaving them there.
    /// Appends the codec bytes of the function on top of the stack,
    /// leaving it there; returns whether they hold the global table (the
    /// function or one of its upvalues reads or writes globals).
    static func encodeFunction(_ lua: LuaState, into buffer: inout [UInt8]) throws(CodecError) -> Bool {
        try Codec.withEncoded(lua, topValues: 1) { (bytes, holdsGlobals) throws(CodecError) in
            try append(bytes, values: 1, to: &buffer)
            return holdsGlobals
        }
    }

    static func encode(_ lua: LuaState, count: Int32, into buffer: inout [UInt8]) throws(CodecError) {
        try Codec.withEncoded(lua, topValues: count) { (bytes) throws(CodecError) in
            try append(bytes, values: Int(count), to: &buffer)
        }
    }

    /// Throws what ``encode(_:count:into:)`` would for the value on top of
    /// the stack, without keeping its bytes.
    static func check(_ lua: LuaState) throws(CodecError) {
        try Codec.withEncoded(lua, topValues: 1) { (bytes) throws(CodecError) in
            try checkLength(bytes.count, values: 1)
        }
    }

    /// Appends the codec bytes of `t[first ..< first + count]` of the table
    /// at `table`, as the list `{..., n = count}`.
    static func encodeSlice(_ lua: LuaState, table: Int32, first: lua_Integer, count: Int,
                            into buffer: inout [UInt8]) throws(CodecError) {
        try Codec.withEncodedSlice(lua, table: table, first: first, count: count) { (bytes) throws(CodecError) in
            try append(bytes, values: count, to: &buffer)
        }
    }

    /// Appends the codec bytes of `t[first ..< first + count]` of the table
    /// at `table` as `count` values, as ``encode(_:count:into:)`` would
    /// once they are pushed, when every one is a number; false, with
    /// nothing appended, when one is not. At most ``valueListLimit``.
    static func encodeNumbers(_ lua: LuaState, table: Int32, first: lua_Integer, count: Int,
                              into buffer: inout [UInt8]) throws(CodecError) -> Bool {
        guard count <= valueListLimit else { return false }
        return try Codec.withEncodedNumbers(lua, table: table, first: first, count: count) { (bytes) throws(CodecError) in
            try append(bytes, values: count, to: &buffer)
        } != nil
    }

    /// Appends the codec bytes of the `count` values on top of the stack,
    /// as ``encode(_:count:into:)`` does, when every one is a number;
    /// false, with nothing appended, when one is not. At most
    /// ``valueListLimit``.
    static func encodeNumbers(_ lua: LuaState, count: Int, into buffer: inout [UInt8]) throws(CodecError) -> Bool {
        guard count <= valueListLimit else { return false }
        return try Codec.withEncodedNumbers(lua, first: lua.top - Int32(count) + 1, count: count) { (bytes) throws(CodecError) in
            try append(bytes, values: count, to: &buffer)
        } != nil
    }

    /// Pushes the values of a message of numbers only, as ``decode(_:_:)``
    /// would, and returns how many; nil, with nothing pushed, when `bytes`
    /// is not such a message.
    static func decodeNumbers(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        Codec.pushNumbers(lua, bytes).map { Int32($0) }
    }

    /// Stores a message of `count` numbers into the table at `table` from
    /// index `first`, as a decode and a store of each would; false when
    /// `bytes` is not such a message.
    static func storeNumbers(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer, count: Int,
                             into table: Int32, at first: lua_Integer) -> Bool {
        Codec.storeNumbers(lua, bytes, count: count, into: table, at: first)
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

    /// Writes a list of `count` items one at a time; see
    /// ``finish(_:into:)``.
    static func listWriter(_ lua: LuaState, count: Int) throws(CodecError) -> Codec.ListWriter {
        try Codec.ListWriter(lua, count: count, maxLength: maxMessageLength)
    }

    /// Ends the list `writer` writes and appends its bytes.
    static func finish(_ writer: Codec.ListWriter, into buffer: inout [UInt8]) throws(CodecError) {
        try writer.finish { (bytes) throws(CodecError) in try append(bytes, values: 1, to: &buffer) }
    }

    /// Pushes the values in `bytes` and returns how many.
    static func decode(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Int32 {
        try Codec.decode(lua, bytes, allowFunctions: true)
    }

    /// Appends a message of `values` values to a frame being built.
    private static func append(_ bytes: UnsafeRawBufferPointer, values: Int,
                               to buffer: inout [UInt8]) throws(CodecError) {
        try checkLength(bytes.count, values: values)
        try reserve(bytes.count, in: &buffer)
        buffer.append(contentsOf: bytes)
    }

    private static func checkLength(_ length: Int, values: Int) throws(CodecError) {
        guard length <= maxMessageLength else {
            throw .tooLargeToSend(length, limit: maxMessageLength, values: values)
        }
    }

    /// Makes room for `n` more bytes in `buffer`, first asking malloc for
    /// that much: an array that cannot grow traps, and this throws `not
    /// enough memory` instead. Twice the capacity if malloc has it, as an
    /// append would take, else just enough.
    static func reserve(_ n: Int, in buffer: inout [UInt8]) throws(CodecError) {
        let needed = buffer.count + n
        guard needed > buffer.capacity else { return }
        // Room for the array's own header on top of its elements.
        let slack = 1 << 10
        for size in [max(needed, 2 * buffer.capacity), needed] {
            guard let probe = malloc(size + slack) else { continue }
            free(probe)
            buffer.reserveCapacity(size)
            return
        }
        throw .outOfMemory()
    }
}
