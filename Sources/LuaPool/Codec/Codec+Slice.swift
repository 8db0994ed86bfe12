import CLua

// The message of a one-value list `{v1, ..., vk, n = k}`, written and read
// an item at a time, without building the list: what a pool sends as a
// chunk of a large call and gets back as its results.
//
// `withEncodedSlice` writes it from a run of a table's items and
// `decodeSlice` stores its items into another table from a given index;
// `ListWriter` and `ListReader` write and read it item by item, so a pool
// worker runs each item as it is read and writes each result as it comes.
// Any side may be the ordinary `encode` / `decode`.

extension Codec {
    /// Encodes `t[first ..< first + count]` of the table at `index` as the
    /// list `{..., n = count}` would be encoded (raw access, no
    /// metamethods; holes as nil items), and lends the bytes to `body`.
    ///
    /// - Throws: ``CodecError`` for an item that cannot be sent, its path
    ///   starting at the item's place in the list (`[3]` for `t[first + 2]`).
    public static func withEncodedSlice<R>(
        _ lua: LuaState, table index: Int32, first: lua_Integer, count: Int,
        _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R {
        precondition(count >= 0 && lua.type(at: index) == .table, "not a table slice")
        let t = lua.absoluteIndex(index)
        var encoder = Encoder(lua)
        defer { encoder.release() }
        let base = lua.top
        defer { lua.top = base }
        try encoder.beginList(count: count)
        // The loop that a large map runs a million times: runs of numbers
        // go through C a batch at a time (room for 9 bytes an item is made
        // per batch).
        let batch: lua_Integer = 4096
        guard lua_checkstack(lua.L, CLUA_NUMBER_BATCH + 8) != 0 else { throw .stackOverflowSending() }
        var done: lua_Integer = 0
        let L = lua.L
        while done < count {
            // A run of numbers in one C loop, then the value that ended it
            // (if any) its general way.
            let n = min(batch, lua_Integer(count) - done)
            let numbers = lua_Integer(try encoder.appendNumbers(of: t, from: first + done, count: Int(n)))
            done += numbers
            guard numbers < n else { continue }
            let type = lua_rawgeti(L, t, first + done)
            try encoder.appendItem(base + 1, type: type, item: done + 1)
            lua_settop(L, base)
            done += 1
        }
        try encoder.finishList(count: count)
        return try body(encoder.out.bytes)
    }

    /// Decodes a message that holds one table (without metatable) and
    /// stores its items 1...k as `t[at]`...`t[at + k - 1]` of the table
    /// at `index` (raw); the table's other fields are read and dropped.
    /// Returns k. Nothing is left pushed.
    ///
    /// - Throws: ``CodecError``: `bad data: ...` for bytes that are not
    ///   such a message; some items may have been stored then.
    public static func decodeSlice(
        _ lua: LuaState, _ bytes: UnsafeRawBufferPointer, into index: Int32, at first: lua_Integer
    ) throws(CodecError) -> Int {
        let t = lua.absoluteIndex(index)
        var decoder = Decoder(lua, bytes, allowFunctions: true)
        let base = lua.top
        defer { lua.top = base }
        let (items, pairs) = try decoder.beginList(storedInto: t)
        let L = lua.L
        var i: lua_Integer = 0
        while i < lua_Integer(items) {
            // A run of numbers in one C loop, then the item that ended it.
            i += lua_Integer(decoder.storeNumbers(items - Int(i), into: t, at: first + i))
            guard i < lua_Integer(items) else { break }
            do throws(CodecError) {
                try decoder.nextItem()
            } catch {
                var error = error
                error.valueIndex = Int(i)
                throw error
            }
            lua_rawseti(L, t, first + i)
            i += 1
        }
        try decoder.finishList(pairs: pairs)
        return items
    }

    /// The most values ``withEncodedNumbers(_:table:first:count:_:)`` and
    /// ``storeNumbers(_:_:count:into:at:)`` take: a chunk's short list.
    public static let shortNumbersLimit = 64

    /// Lends `body` the message of the `count` values `t[first ..< first +
    /// count]` (raw) of the table at absolute index `table`, when every
    /// one is a number: byte for byte what ``encode(_:values:)`` writes
    /// for them on the stack, made with no encoder in one C loop. Returns
    /// nil, calling nothing, when one is not a number (or the stack has
    /// no room for them). At most ``shortNumbersLimit`` values.
    public static func withEncodedNumbers<R>(
        _ lua: LuaState, table: Int32, first: lua_Integer, count: Int,
        _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R? {
        let L = lua.L
        // clua_puttablenumbers pushes them (and a value that ends a run).
        guard lua_checkstack(L, Int32(count) + 2) != 0 else { return nil }
        return try withShortNumbers(count: count, body) { out in
            var bytes = 0
            return clua_puttablenumbers(L, table, first, Int32(count), out, &bytes, LuaState.directArrays) == count ? bytes : nil
        }
    }

    /// ``withEncodedNumbers(_:table:first:count:_:)`` for the `count`
    /// values from absolute stack index `first`.
    public static func withEncodedNumbers<R>(
        _ lua: LuaState, first: Int32, count: Int, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws(CodecError) -> R? {
        let L = lua.L
        return try withShortNumbers(count: count, body) { out in
            var bytes = 0
            return clua_putnumbers(L, first, Int32(count), out, &bytes) == count ? bytes : nil
        }
    }

    /// A message's head for `count` values (no key slots), then what
    /// `write` writes after it (its byte count; nil: no message).
    private static func withShortNumbers<R>(
        count: Int, _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R,
        write: (UnsafeMutablePointer<UInt8>) -> Int?
    ) throws(CodecError) -> R? {
        precondition(count >= 0 && count <= shortNumbersLimit, "too many values for a short message")
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 7 + 9 * shortNumbersLimit) {
            (room) throws(CodecError) -> R? in
            let start = room.baseAddress!
            start[0] = Codec.version
            UnsafeMutableRawPointer(start + 1).storeBytes(of: UInt32(count).littleEndian, as: UInt32.self)
            UnsafeMutableRawPointer(start + 5).storeBytes(of: UInt16(0), as: UInt16.self)  // no key slots
            guard let bytes = write(start + 7) else { return nil }
            return try body(UnsafeRawBufferPointer(start: start, count: 7 + bytes))
        }
    }

    /// The number of values of a short message of numbers only, read from
    /// its head, and its values' bytes; nil when `bytes` cannot be one.
    private static func shortNumbers(_ bytes: UnsafeRawBufferPointer)
        -> (count: Int, values: UnsafePointer<UInt8>, length: Int)? {
        guard let base = bytes.baseAddress, bytes.count >= 7, bytes[0] == Codec.version,
              bytes[5] == 0, bytes[6] == 0 else { return nil }
        let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
        guard count <= shortNumbersLimit else { return nil }
        return (count, (base + 7).assumingMemoryBound(to: UInt8.self), bytes.count - 7)
    }

    /// Stores the values of a message of `count` numbers as `t[first]`,
    /// `t[first + 1]`... (raw) of the table at absolute index `table`, in
    /// one C loop; false when `bytes` is not such a message (some values
    /// may have been stored then: decode it the general way, which stores
    /// them again). At most ``shortNumbersLimit`` values.
    public static func storeNumbers(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer, count: Int,
                                    into table: Int32, at first: lua_Integer) -> Bool {
        guard let (announced, values, length) = shortNumbers(bytes), announced == count,
              lua_checkstack(lua.L, 2) != 0 else { return false }
        var used = 0
        let stored = clua_storenumbers(lua.L, table, first, values, length, Int32(count), &used, LuaState.directArrays)
        return stored == count && used == length
    }

    /// Pushes the values of a message of numbers only (at most
    /// ``shortNumbersLimit``), in one C loop, and returns how many; nil,
    /// with nothing pushed, when `bytes` is not such a message: decode it
    /// the general way.
    public static func pushNumbers(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let (count, values, length) = shortNumbers(bytes),
              lua_checkstack(lua.L, Int32(count) + 1) != 0 else { return nil }
        let top = lua_gettop(lua.L)
        var used = 0
        guard clua_pushnumbers(lua.L, values, length, Int32(count), &used) == count, used == length else {
            lua_settop(lua.L, top)
            return nil
        }
        return count
    }

    /// Writes the message of the list `{v1, ..., vk, n = k}` from values
    /// taken one at a time, for values that are not in a table: a pool
    /// worker's results, as each call returns.
    ///
    /// Numbers, strings, booleans and nil are written as they come. From
    /// the first other value on, the items wait in a table of the writer's
    /// (in the stack slot it pushes when made; leave it in place) and are
    /// written by ``finish(_:)``: tables then go as they are once every
    /// item has run, exactly as a list encoded at the end would, and every
    /// object the encoder knows by address stays alive while it writes.
    public final class ListWriter {
        private var encoder: Encoder
        private let count: Int
        private let maxLength: Int
        private var taken = 0
        /// The first item (from 1) that waits in the table; 0 while every
        /// item so far was written at once.
        private var waitingFrom = 0
        /// The stack slot of the table of waiting items.
        private let waiting: Int32
        /// An item written at once that failed (memory ran out); the
        /// items after it are only counted, and ``finish(_:)`` throws it.
        private var failure: CodecError?
        /// The item that took the most bytes, and how many.
        private var largest = (item: 0, bytes: 0)
        /// After ``finish(_:)`` failed: the item that could not be written.
        public private(set) var failedItem: Int?

        /// `maxLength`: the most bytes the message may take; a longer one
        /// makes ``finish(_:)`` throw.
        public init(_ lua: LuaState, count: Int, maxLength: Int = .max) throws(CodecError) {
            self.count = count
            self.maxLength = maxLength
            encoder = Encoder(lua)
            lua.pushNil()
            waiting = lua.top
            try encoder.beginList(count: count)
        }

        deinit { encoder.release() }

        /// Takes the value on top of the stack as the next item.
        public func append() {
            append(at: lua_gettop(encoder.L))
        }

        /// Takes the value at the absolute stack index `value` as the next
        /// item.
        public func append(at value: Int32) {
            precondition(taken < count, "more items than announced")
            // The C API only, numbers first: this runs once per item.
            let L = encoder.L
            taken += 1
            if waitingFrom == 0 {
                guard failure == nil else { return }
                let type = lua_type(L, value)
                let start = encoder.out.count
                do throws(CodecError) {
                    if try encoder.encodeNumber(value, type: type) { return }
                    if type == LUA_TSTRING || type == LUA_TBOOLEAN || type == LUA_TNIL {
                        _ = try encoder.encodeScalar(value, type: type)
                        noteSize(of: taken, from: start)
                        return
                    }
                } catch {
                    (failure, failedItem) = (error, taken)
                    return
                }
                waitingFrom = taken
                // Indexed by item, so its array part must reach `count`.
                lua_createtable(L, Int32(min(count, 1 << 20)), 0)
                clua_replace(L, waiting)
            }
            lua_pushvalue(L, value)
            lua_rawseti(L, waiting, lua_Integer(taken))
        }

        /// Takes the `n` values at absolute stack indices `first ..< first +
        /// n` as the next items, numbers in one C loop.
        public func append(from first: Int32, count n: Int) {
            precondition(taken + n <= count, "more items than announced")
            var i = 0
            if waitingFrom == 0 && failure == nil {
                do throws(CodecError) {
                    i = try encoder.appendNumbers(at: first, count: n)
                } catch {
                    i = 0  // no room: item by item, which notes the failure
                }
                taken += i
            }
            while i < n {
                append(at: first + Int32(i))
                i += 1
            }
        }

        /// Lends room for `n` numbers (9 bytes each) to `body`, which
        /// writes the next items' numbers there and returns how many items
        /// and bytes it wrote. False, with nothing lent, once items wait in
        /// the writer's table (they must be written in order) or a write
        /// failed, or when no room can be made.
        public func writeNumbers(upTo n: Int, _ body: (UnsafeMutablePointer<UInt8>, Int) -> (items: Int, bytes: Int)) -> Bool {
            guard waitingFrom == 0, failure == nil, n > 0, taken + n <= count else { return false }
            var items = 0
            do throws(CodecError) {
                try encoder.out.write(upTo: 9 * n) { end in
                    let written = body(end, 9 * n)
                    items = written.items
                    return written.bytes
                }
            } catch {
                return false
            }
            taken += items
            return true
        }

        /// Pushes item `item` (from 1) if it waits in the writer's table,
        /// else nil.
        public func pushWaiting(_ item: Int) {
            let L = encoder.L
            if waitingFrom > 0 && item >= waitingFrom {
                lua_rawgeti(L, waiting, lua_Integer(item))
            } else {
                lua_pushnil(L)
            }
        }

        /// Keeps the size of item `item`, written from offset `start`, if
        /// it is the largest so far. Numbers are never the largest.
        @inline(__always)
        private func noteSize(of item: Int, from start: Int) {
            let bytes = encoder.out.count - start
            if bytes > largest.bytes { largest = (item, bytes) }
        }

        /// Writes the waiting items, ends the message and lends its bytes
        /// to `body`.
        ///
        /// - Throws: ``CodecError`` for an item that cannot be sent, its
        ///   path starting at the item's place (`[3]`), or one too large
        ///   to send (over `maxLength` in a message of its own), or
        ///   `not enough memory`; ``failedItem`` says which item then. Or
        ///   a message over `maxLength` with no such item: no
        ///   ``failedItem``.
        public func finish<R>(_ body: (UnsafeRawBufferPointer) throws(CodecError) -> R) throws(CodecError) -> R {
            precondition(taken == count, "fewer items than announced")
            if let failure { throw failure }
            if waitingFrom > 0 {
                let L = encoder.L
                let top = lua_gettop(L)
                guard lua_checkstack(L, 4) != 0 else { throw .stackOverflowSending() }
                for item in waitingFrom...count {
                    let type = lua_rawgeti(L, waiting, lua_Integer(item))
                    let start = encoder.out.count
                    do {
                        try encoder.appendItem(top + 1, type: type, item: lua_Integer(item))
                    } catch {
                        lua_settop(L, top)
                        failedItem = item
                        throw error
                    }
                    noteSize(of: item, from: start)
                    lua_settop(L, top)
                }
            }
            try encoder.finishList(count: count)
            try checkLength()
            return try body(encoder.out.bytes)
        }

        /// Throws when the message is longer than `maxLength`, naming the
        /// largest item if a message of its own would be too long as well.
        private func checkLength() throws(CodecError) {
            let length = encoder.out.count
            guard length > maxLength else { return }
            let alone = largest.bytes + Codec.messageHeaderLength
            if alone > maxLength {
                failedItem = largest.item
                throw .tooLargeToSend(alone, limit: maxLength)
            }
            throw .tooLargeToSend(length, limit: maxLength, values: count)
        }
    }

    /// Reads a message that holds one table (without metatable), one item
    /// of its list part at a time; its other fields are read and dropped
    /// at ``finish()``. Decoding trusts nothing, as ``decode(_:_:allowFunctions:)``.
    ///
    /// The reader keeps state in stack slots it pushes when made (shared
    /// objects, key strings): leave them in place until ``finish()``. The
    /// bytes must stay valid as long as the reader is used.
    public final class ListReader {
        private var decoder: Decoder
        /// How many items the list has.
        public let count: Int
        private let pairs: Int
        private var read = 0

        public init(_ lua: LuaState, _ bytes: UnsafeRawBufferPointer) throws(CodecError) {
            decoder = Decoder(lua, bytes, allowFunctions: true)
            let base = lua.top
            do {
                (count, pairs) = try decoder.beginList(storedInto: nil)
            } catch {
                lua.top = base
                throw error
            }
        }

        /// Pushes the next item.
        ///
        /// - Throws: ``CodecError``: `bad data: ...`; nothing is pushed then.
        public func next() throws(CodecError) {
            precondition(read < count, "no item left")
            read += 1
            let top = lua_gettop(decoder.L)
            do {
                try decoder.nextItem()
            } catch {
                lua_settop(decoder.L, top)
                throw error
            }
        }

        /// Lends the bytes from the next item on to `body`, which reads
        /// at most the items left, numbers (as `clua_pushnumber` does), and
        /// returns how many it took and their bytes; the reader goes on
        /// after them. Nothing is lent when the next item is not a number.
        public func readNumbers(_ body: (UnsafePointer<UInt8>, Int) -> (items: Int, bytes: Int)) {
            guard read < count else { return }
            read += decoder.takeNumbers { start, length in
                guard length > 0, (Tag.int8...Tag.float).contains(start[0]) else { return (0, 0) }
                return body(start, length)
            }
        }

        /// Pushes up to `n` next items while they are numbers; returns how
        /// many. The stack must have room for them.
        public func nextNumbers(_ n: Int) -> Int {
            let done = decoder.nextNumbers(min(n, count - read))
            read += done
            return done
        }

        /// Reads what follows the items and checks that the message ends
        /// there.
        public func finish() throws(CodecError) {
            precondition(read == count, "items left unread")
            let top = decoder.lua.top
            defer { decoder.lua.top = top }
            try decoder.finishList(pairs: pairs)
        }
    }
}

extension Encoder {
    /// Writes the head of the message of a list of `count` items.
    mutating func beginList(count: Int) throws(CodecError) {
        guard count <= UInt32.max else { throw .tooLarge("table") }
        try out.append(Codec.version)
        try out.append(UInt32(1))
        try out.append(UInt16(0))  // key slots used, known at the end
        objectCount += 1  // the list it stands for is object 0
        guard lua_checkstack(L, 6) != 0 else { throw .stackOverflowSending() }
        try out.append(Tag.table, UInt32(count))
        try out.append(UInt32(1))  // one pair: n
    }

    /// Writes the numbers at absolute indices `first ..< first + n` up to
    /// the first value that is not a number, in one C loop; returns how
    /// many it wrote.
    @inline(__always)
    mutating func appendNumbers(at first: Int32, count n: Int) throws(CodecError) -> Int {
        var done: Int32 = 0
        let L = self.L
        try out.write(upTo: 9 * n) { end in
            var bytes = 0
            done = clua_putnumbers(L, first, Int32(n), end, &bytes)
            return bytes
        }
        return Int(done)
    }

    /// Writes `t[first ..< first + n]` (raw) of the table at absolute index
    /// `t` up to the first value that is not a number, in one C loop;
    /// returns how many it wrote.
    @inline(__always)
    mutating func appendNumbers(of t: Int32, from first: lua_Integer, count n: Int) throws(CodecError) -> Int {
        var done: Int32 = 0
        let L = self.L
        try out.write(upTo: 9 * n) { end in
            var bytes = 0
            done = clua_puttablenumbers(L, t, first, Int32(n), end, &bytes, LuaState.directArrays)
            return bytes
        }
        return Int(done)
    }

    /// Writes the value at absolute index `value`, of Lua type `type`, as
    /// item `item` (from 1).
    @inline(__always)
    mutating func appendItem(_ value: Int32, type: Int32, item: lua_Integer) throws(CodecError) {
        if try encodeNumber(value, type: type) { return }
        if try encodeScalar(value, type: type) { return }
        do throws(CodecError) {
            try encodeValue(value, depth: 2)
        } catch {
            throw error.inside(item: item)
        }
    }

    /// Writes the list's `n` and ends the message.
    mutating func finishList(count: Int) throws(CodecError) {
        guard lua_checkstack(L, 4) != 0 else { throw .stackOverflowSending() }
        lua_pushstring(L, "n")
        lua_pushinteger(L, lua_Integer(count))
        try encodePair(lua.top, depth: 2)
        lua_settop(L, -3)
        patchReferences()
        out.patch(UInt16(keySlotsUsed), at: 5)
    }
}

extension Decoder {
    /// Reads the head of a message holding one table without metatable,
    /// and pushes the memo and key slots the items are read with. Returns
    /// the table's counts: items in its list part, then pairs.
    ///
    /// `list`: the table the items go into, which references to the list
    /// itself then find (only a corrupt message has them); with nil such a
    /// message is refused.
    mutating func beginList(storedInto list: Int32?) throws(CodecError) -> (items: Int, pairs: Int) {
        guard reader.remaining > 0 else { throw .badData("empty string") }
        let version = try reader.readByte()
        guard version == Codec.version else { throw .unsupportedVersion(version) }
        guard try reader.read(UInt32.self) == 1 else { throw .badData("expected one value", at: 1) }
        keySlotCount = Int(try reader.read(UInt16.self))
        guard keySlotCount <= Codec.keySlots else { throw .badData("too many key slots", at: 5) }
        try announce(1)
        guard lua_checkstack(L, Int32(keySlotCount) + 8) != 0 else {
            throw .badData("Lua stack overflow", at: 0)
        }
        let base = lua.top
        lua_settop(L, base + 1 + Int32(keySlotCount))
        memo = base + 1
        need -= 1
        let tag = try reader.readByte()
        guard tag & Tag.kindMask == Tag.table, tag & Tag.metatable == 0 else {
            throw .badData("expected a table without metatable", at: reader.offset - 1)
        }
        try checkDepth(1)
        let items = Int(try reader.read(UInt32.self))
        let pairs = Int(try reader.read(UInt32.self))
        try announce(items + 2 * pairs)
        if tag & Tag.shared != 0 {
            guard let list else { throw .badData("a list that refers to itself", at: reader.offset - 9) }
            remember(list, shared: true)
        }
        return (items, pairs)
    }

    /// Pushes up to `n` items while they are numbers, in one C loop;
    /// returns how many. The stack has room for them.
    @inline(__always)
    mutating func nextNumbers(_ n: Int) -> Int {
        var done: Int32 = 0
        let L = self.L
        reader.read { start, length in
            var used = 0
            done = clua_pushnumbers(L, start, length, Int32(min(n, Int(Int32.max))), &used)
            return used
        }
        need -= Int(done)
        return Int(done)
    }

    /// Lends the bytes from the next item on to `body`, which reads items
    /// that are numbers and returns how many and their bytes; returns how
    /// many.
    @inline(__always)
    mutating func takeNumbers(_ body: (UnsafePointer<UInt8>, Int) -> (items: Int, bytes: Int)) -> Int {
        var items = 0
        reader.read { start, length in
            let taken = body(start, length)
            items = taken.items
            return taken.bytes
        }
        need -= items
        return items
    }

    /// Stores up to `n` items while they are numbers as `t[first]`,
    /// `t[first + 1]`... (raw) of the table at absolute index `t`, in one C
    /// loop; returns how many.
    @inline(__always)
    mutating func storeNumbers(_ n: Int, into t: Int32, at first: lua_Integer) -> Int {
        var done: Int32 = 0
        let L = self.L
        reader.read { start, length in
            var used = 0
            done = clua_storenumbers(L, t, first, start, length, Int32(min(n, Int(Int32.max))), &used, LuaState.directArrays)
            return used
        }
        need -= Int(done)
        return Int(done)
    }

    /// Pushes the next item of the list.
    @inline(__always)
    mutating func nextItem() throws(CodecError) {
        if let (tag, bits) = reader.readNumberQuickly() {
            need -= 1
            if tag == Tag.float {
                lua_pushnumber(L, Double(bitPattern: UInt64(bitPattern: bits)))
            } else {
                lua_pushinteger(L, bits)
            }
        } else if !(try decodeNumber()) {
            try decodeValue(depth: 2)
        }
    }

    /// Reads the list's pairs, dropping them, and checks that the message
    /// ends there.
    mutating func finishList(pairs: Int) throws(CodecError) {
        for _ in 0..<pairs {
            try decodeValue(depth: 2)
            try decodeValue(depth: 2)
            lua_settop(L, -3)
        }
        guard reader.remaining == 0 else {
            throw .badData("bytes after the last value", at: reader.offset)
        }
    }
}
