// The wire format, version 1. docs/codec.md describes it for readers; this
// file is where the numbers live.
//
//   message  = version:u8  count:u32  keySlots:u16  value{count}
//   value    = tag:u8 payload
//
// Every multi-byte number is little-endian.
//
// Tables, functions and modules are *objects*. An object that a later
// `ref` record refers to has the `shared` flag set in its tag; the decoder
// keeps the shared objects, numbered from 0 in the order their records
// start, and a `ref` names one by that number.
//
// Key strings repeat from record to record, so they go through a small
// cache of `keySlots` (at most 256) slots: `keyDef` puts a string in a
// slot (and is that string), `keyRef` is the string in a slot.

extension Codec {
    /// The format version, the first byte of every message.
    public static let version: UInt8 = 1

    /// How deep values may nest: a table inside a table ... counts one
    /// level per table or function (keys, values, metatables and upvalues
    /// alike); the values given to `encode` are at level 1. Deeper values
    /// are refused by the encoder and by the decoder, so neither ever
    /// recurses further.
    public static let maxDepth = 1000

    /// The number of key slots; key strings longer than ``maxKeyLength``
    /// (not interned by Lua, so not found by address) do not use them.
    static let keySlots = 256
    static let maxKeyLength = 40

    /// A message holds fewer values than this: as many as Lua's stack
    /// could ever take (`LUAI_MAXSTACK`).
    public static let maxValues = 1_000_000

    /// The bytes before the first value: version, count and key slots.
    static let messageHeaderLength = 7
}

/// Record tags. The low six bits name the record; the two high bits are
/// flags that only some records may carry.
enum Tag {
    static let `nil`: UInt8 = 0x00
    static let `false`: UInt8 = 0x01
    static let `true`: UInt8 = 0x02
    /// An integer in -128...127: one byte, two's complement.
    static let int8: UInt8 = 0x03
    /// An integer in Int32's range: four bytes.
    static let int32: UInt8 = 0x04
    /// Any other integer: eight bytes.
    static let int64: UInt8 = 0x05
    /// A float: the eight bytes of its IEEE 754 bit pattern (so NaN
    /// payloads, infinities and -0.0 come back exactly).
    static let float: UInt8 = 0x06
    /// A string of up to 255 bytes: length:u8, bytes.
    static let string8: UInt8 = 0x07
    /// A string of up to 2^32-1 bytes: length:u32, bytes.
    static let string32: UInt8 = 0x08
    /// A longer string: length:u64, bytes.
    static let string64: UInt8 = 0x09
    /// A table (object): arrayCount:u32 hashCount:u32, then arrayCount
    /// values (t[1], t[2], ... nil for holes), then hashCount key/value
    /// pairs, then the metatable when the tag has the `metatable` flag.
    static let table: UInt8 = 0x0A
    /// A reference to an earlier shared object: number:u32.
    static let ref: UInt8 = 0x0B
    /// A Lua function (object): length:u32 checksum:u64 bytecode{length}
    /// upvalueCount:u8, then one record per upvalue: a value, or
    /// `joinUpvalue`.
    static let luaFunction: UInt8 = 0x0C
    /// A C function found in package.loaded (object): module and field,
    /// each as length:u32 bytes: `package.loaded[module][field]`.
    static let cFunction: UInt8 = 0x0D
    /// A table of package.loaded (object): name as length:u32 bytes.
    static let module: UInt8 = 0x0E
    /// The global table (`_G`, the usual `_ENV`) of whoever decodes.
    static let globals: UInt8 = 0x0F
    /// Only as an upvalue record: this upvalue is the very upvalue that an
    /// earlier upvalue record introduced; number:u32 counts the upvalue
    /// records that carried a value, from 0, in message order.
    static let joinUpvalue: UInt8 = 0x10
    /// A string that also goes in key slot `slot`: slot:u8 length:u8 bytes.
    static let keyDef: UInt8 = 0x11
    /// The string in key slot `slot`: slot:u8.
    static let keyRef: UInt8 = 0x12

    /// The object is referred to later on (tables, functions, modules).
    static let shared: UInt8 = 0x80
    /// A metatable follows the table's contents.
    static let metatable: UInt8 = 0x40
    static let kindMask: UInt8 = 0x3F
}
