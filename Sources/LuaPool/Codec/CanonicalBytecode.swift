/// A stripped Lua 5.4 dump (`string.dump(f, true)`) with the line numbers
/// it still holds (each function's `linedefined` and `lastlinedefined`)
/// set to 0, so that the same code moved to other lines dumps the same:
/// for the canonical bytes that key a checkpoint. The layout is lundump.c's
/// and ldump.c's: a header, then the main function's upvalue count, then
/// the function, recursively.
enum CanonicalBytecode {
    /// The bytes without line numbers; nil when `dump` is not a stripped
    /// Lua 5.4 dump this reader understands.
    static func withoutLines(_ dump: [UInt8]) -> [UInt8]? {
        // "\x1bLua", version, format, LUAC_DATA (6), three sizes, LUAC_INT
        // (8), LUAC_NUM (8), the main function's upvalue count.
        let headerSize = 4 + 1 + 1 + 6 + 3 + 8 + 8 + 1
        guard dump.count > headerSize, dump[0] == 0x1B, dump[4] == 0x54 else { return nil }
        var reader = Reader(bytes: dump, at: headerSize)
        var output = Array(dump[..<headerSize])
        guard reader.function(into: &output, depth: 0), reader.at == dump.count else { return nil }
        return output
    }

    private struct Reader {
        let bytes: [UInt8]
        var at: Int

        init(bytes: [UInt8], at: Int) {
            (self.bytes, self.at) = (bytes, at)
        }

        /// ldump.c's dumpSize: 7 bits a byte, most significant first, the
        /// last byte marked with 0x80.
        mutating func size() -> Int? {
            var value = 0
            while at < bytes.count {
                let byte = bytes[at]
                at += 1
                guard value < (Int.max >> 8) else { return nil }
                value = (value << 7) | Int(byte & 0x7F)
                if byte & 0x80 != 0 { return value }
            }
            return nil
        }

        /// Copies `count` bytes.
        mutating func copy(_ count: Int, into output: inout [UInt8]) -> Bool {
            guard count >= 0, at + count <= bytes.count else { return false }
            output.append(contentsOf: bytes[at..<(at + count)])
            at += count
            return true
        }

        /// Copies a size as it was written.
        mutating func copySize(into output: inout [UInt8]) -> Int? {
            let start = at
            guard let value = size() else { return nil }
            output.append(contentsOf: bytes[start..<at])
            return value
        }

        /// A string: its size plus one (0: none), then its bytes.
        mutating func string(into output: inout [UInt8]) -> Bool {
            guard let size = copySize(into: &output) else { return false }
            return size == 0 || copy(size - 1, into: &output)
        }

        mutating func function(into output: inout [UInt8], depth: Int) -> Bool {
            guard depth < 200, string(into: &output),               // source (none when stripped)
                  size() != nil, size() != nil else { return false }  // linedefined, lastlinedefined
            output.append(0x80)
            output.append(0x80)
            guard copy(3, into: &output),                           // numparams, is_vararg, maxstacksize
                  let code = copySize(into: &output), copy(code * 4, into: &output),
                  let constants = copySize(into: &output) else { return false }
            for _ in 0..<constants {
                guard at < bytes.count else { return false }
                let type = bytes[at]
                guard copy(1, into: &output) else { return false }
                switch type {
                case 0x00, 0x01, 0x11: break                        // nil, false, true
                case 0x03, 0x13: guard copy(8, into: &output) else { return false }  // integer, float
                case 0x04, 0x14: guard string(into: &output) else { return false }   // short, long string
                default: return false
                }
            }
            guard let upvalues = copySize(into: &output), copy(upvalues * 3, into: &output),
                  let protos = copySize(into: &output) else { return false }
            for _ in 0..<protos {
                guard function(into: &output, depth: depth + 1) else { return false }
            }
            // Debug information: line info, absolute line info, local
            // variables, upvalue names; all empty when stripped.
            guard let lines = copySize(into: &output), copy(lines, into: &output),
                  let absolute = copySize(into: &output), copy(absolute * 8, into: &output),
                  let locals = copySize(into: &output), locals == 0,
                  let names = copySize(into: &output), names == 0 else { return false }
            return true
        }
    }
}
