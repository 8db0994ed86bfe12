import CLua

/// Lua values to bytes and back, exactly: what crosses a process boundary,
/// and what `multiprocessing.dumps` / `loads` give scripts.
///
/// It carries nil, booleans, integers and floats (kept apart; NaN, infinities
/// and -0.0 exact), strings of any bytes, tables with shared references,
/// cycles and metatables, Lua functions (bytecode with debug information,
/// plus their upvalues, shared upvalues staying shared), C functions and
/// module tables found in `package.loaded` (by name), and the global table
/// (as a marker that decodes to the receiver's). It refuses userdata,
/// threads, light userdata and C functions without a name in
/// `package.loaded`. The wire format is in docs/codec.md.
///
/// Decoding trusts nothing: bad bytes give a ``CodecError`` whose message
/// begins `bad data:`, never a crash, a hang or an allocation the input
/// does not justify. Except for one thing: Lua's own loader trusts
/// bytecode, so decode with functions only data that ``encode(_:values:)``
/// produced (a checksum catches corruption, not forgery) and pass
/// `allowFunctions: false` for anything else.
public enum Codec {
    /// Encodes the values at the stack indices `values` (absolute or
    /// relative) into one message, so that objects and upvalues shared
    /// between them stay shared. The stack is left as it was.
    ///
    /// - Throws: ``CodecError`` for a value that cannot be sent, with the
    ///   path to it and ``CodecError/valueIndex`` saying which value (from
    ///   0); for nesting deeper than ``maxDepth``; or `not enough memory`
    ///   when the bytes cannot be allocated.
    public static func encode(_ lua: LuaState, values: ClosedRange<Int32>) throws(CodecError) -> [UInt8] {
        try withEncoded(lua, values: values) { Array($0) }
    }

    /// Encodes the `count` values on top of the stack (none when `count`
    /// is 0); see ``encode(_:values:)``.
    public static func encode(_ lua: LuaState, topValues count: Int32) throws(CodecError) -> [UInt8] {
        try withEncoded(lua, first: lua.top - count + 1, count: count) { Array($0) }
    }

    /// Encodes like ``encode(_:values:)`` and lends the bytes to `body`
    /// without copying them; they are valid only during the call. What
    /// `body` throws is thrown on.
    public static func withEncoded<R>(
        _ lua: LuaState, values: ClosedRange<Int32>, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        let first = lua.absoluteIndex(values.lowerBound)
        let last = lua.absoluteIndex(values.upperBound)
        return try withEncoded(lua, first: first, count: last - first + 1, body)
    }

    /// Encodes the `count` values on top of the stack (none when `count`
    /// is 0) and lends the bytes to `body`; see ``withEncoded(_:values:_:)``.
    public static func withEncoded<R>(
        _ lua: LuaState, topValues count: Int32, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        try withEncoded(lua, first: lua.top - count + 1, count: count, body)
    }

    private static func withEncoded<R>(
        _ lua: LuaState, first: Int32, count: Int32, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        try withEncoded(lua, first: first, count: count) { (bytes, _) throws(CodecError) in try body(bytes) }
    }

    /// Encodes the `count` values on top of the stack like
    /// ``withEncoded(_:topValues:_:)``, and also tells `body` whether the
    /// message holds the global table (a function that reads or writes
    /// globals holds it as its `_ENV`).
    public static func withEncoded<R>(
        _ lua: LuaState, topValues count: Int32,
        _ body: (UnsafeRawBufferPointer, _ holdsGlobals: Bool) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        try withEncoded(lua, first: lua.top - count + 1, count: count, body)
    }

    private static func withEncoded<R>(
        _ lua: LuaState, first: Int32, count: Int32,
        _ body: (UnsafeRawBufferPointer, _ holdsGlobals: Bool) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        precondition(count >= 0 && first >= 1 && first + count - 1 <= lua.top, "values not on the stack")
        var encoder = Encoder(lua)
        defer { encoder.release() }
        try encoder.encodeMessage(first: first, count: count)
        return try body(encoder.out.bytes, encoder.wroteGlobals)
    }

    /// A 128-bit hash of a canonical encoding of the `count` values from
    /// stack index `first`: the same for equal values in any run (table
    /// keys sorted, where Lua's traversal order changes from run to run;
    /// functions by their stripped bytecode, so a moved line or another
    /// chunk name does not count, and their upvalues). Keys of tables that
    /// are tables or functions have no order and make the hash vary.
    public static func canonicalHash(_ lua: LuaState, first: Int32, count: Int32) throws(CodecError) -> String {
        var encoder = Encoder(lua)
        encoder.canonical = true
        defer { encoder.release() }
        try encoder.encodeMessage(first: lua.absoluteIndex(first), count: count)
        let bytes = encoder.out.bytes
        let (a, b) = (Checksum.fnv1a64(bytes), Checksum.fnv1a64(bytes, basis: 0x6C62_272E_07BB_0142))
        return hex(a) + hex(b)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Decodes a message and pushes its values, returning how many.
    ///
    /// - Parameters:
    ///   - bytes: a whole message, from ``encode(_:values:)`` or anywhere.
    ///   - allowFunctions: false refuses any function, module table or
    ///     the global table in the data, and so never hands bytecode to
    ///     Lua's loader: safe for untrusted bytes.
    /// - Throws: ``CodecError``: `bad data: ...` for bytes that are not a
    ///   valid message (another format version among them); a refused
    ///   function; or a C function or module this interpreter lacks;
    ///   with ``CodecError/valueIndex`` saying which value (from 0) when
    ///   it is about one. Nothing is left pushed then.
    public static func decode(
        _ lua: LuaState, _ bytes: UnsafeRawBufferPointer, allowFunctions: Bool = true
    ) throws(CodecError) -> Int32 {
        var decoder = Decoder(lua, bytes, allowFunctions: allowFunctions)
        return try decoder.decodeMessage()
    }

    /// Decodes a message held in an array; see ``decode(_:_:allowFunctions:)``.
    public static func decode(
        _ lua: LuaState, _ bytes: [UInt8], allowFunctions: Bool = true
    ) throws(CodecError) -> Int32 {
        let result: Result<Int32, CodecError> = bytes.withUnsafeBytes { bytes in
            Result { () throws(CodecError) in try decode(lua, bytes, allowFunctions: allowFunctions) }
        }
        return try result.get()
    }
}
