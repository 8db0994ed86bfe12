/// Why a value could not be encoded or bytes could not be decoded.
///
/// Messages speak Lua's dialect: lowercase, names in single quotes, no final
/// period. An encoding error names what was refused and where it sits in
/// the value: ``message`` reads `cannot send userdata (FILE*) at [2].log`,
/// and plain `cannot send thread` when the value itself was refused. A
/// caller with a name for the value puts it in front of the path with
/// ``message(root:)``: `cannot send thread at args`.
///
/// Path notation, from the value inward:
/// - `.name` for a string key that is a Lua name, `["two words"]` for any
///   other string key, `[3]`, `[1.5]`, `[true]` for numbers and booleans,
///   `[<table>]` and `[<function>]` for keys with identity;
/// - `<key>`: inside a key of the table so far, e.g. `<key>[1]`;
/// - `<metatable>`: inside its metatable;
/// - `<upvalue 'name'>`: inside that upvalue of a function.
///
/// Decoding errors about the bytes themselves start with `bad data:`.
public struct CodecError: Error, CustomStringConvertible {
    /// The kind of failure; an open set.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let description: String

        /// A value of a kind that cannot cross: userdata, thread, light
        /// userdata, a C function with no name in package.loaded.
        public static let unsendable = Code(description: "unsendable")
        /// Nesting deeper than ``Codec/maxDepth``.
        public static let tooDeep = Code(description: "too deep")
        /// Bytes that are not a message of this format: truncated,
        /// corrupted, hostile, or of another version.
        public static let badData = Code(description: "bad data")
        /// A function (or a module or the global table, which hold them)
        /// in data decoded with functions disallowed.
        public static let functionRefused = Code(description: "function refused")
        /// A C function or module the decoding interpreter does not have.
        public static let notFound = Code(description: "not found")
        /// More values than Lua's stack takes (about a million).
        public static let stackOverflow = Code(description: "stack overflow")
        /// Memory ran out while encoding: the message is exactly `not
        /// enough memory`, with no place, as Lua's own memory errors.
        public static let outOfMemory = Code(description: "out of memory")
        /// Bytes longer than the receiver takes in one message (a pool's
        /// frame limit): the message names the size and the limit.
        public static let tooLarge = Code(description: "too large")
    }

    // One reference, so that a thrown error is one word: the codec's
    // recursion keeps a slot for it at every `try`, and debug builds do
    // not share those slots.
    private final class Storage {
        var code: Code
        var reason: String
        var path: String
        var valueIndex: Int?

        init(code: Code, reason: String, path: String, valueIndex: Int?) {
            self.code = code
            self.reason = reason
            self.path = path
            self.valueIndex = valueIndex
        }
    }

    private var storage: Storage

    private mutating func change(_ body: (Storage) -> Void) {
        if !isKnownUniquelyReferenced(&storage) {
            storage = Storage(code: code, reason: reason, path: path, valueIndex: valueIndex)
        }
        body(storage)
    }

    public var code: Code {
        get { storage.code }
        set { change { $0.code = newValue } }
    }

    /// What went wrong, without the place: `cannot send userdata (FILE*)`.
    public var reason: String {
        get { storage.reason }
        set { change { $0.reason = newValue } }
    }

    /// Where, relative to the value (see the notation above); empty for
    /// the value itself and for decoding errors.
    public var path: String {
        get { storage.path }
        set { change { $0.path = newValue } }
    }

    /// Which of the values given to the encoder (from 0) the path starts
    /// at; nil for decoding errors.
    public var valueIndex: Int? {
        get { storage.valueIndex }
        set { change { $0.valueIndex = newValue } }
    }

    init(_ code: Code, _ reason: String, path: String = "", valueIndex: Int? = nil) {
        storage = Storage(code: code, reason: reason, path: path, valueIndex: valueIndex)
    }

    /// The reason and, when there is one, the place: `reason at path`.
    public var message: String {
        path.isEmpty ? reason : reason + " at " + path
    }

    /// The reason and the place, with `root` naming the value:
    /// `cannot send userdata (FILE*) at args[2].log` for root `args[2]`.
    /// `not enough memory` has no place.
    public func message(root: String) -> String {
        (root.isEmpty && path.isEmpty) || code == .outOfMemory ? reason : reason + " at " + root + path
    }

    public var description: String { message }
}
