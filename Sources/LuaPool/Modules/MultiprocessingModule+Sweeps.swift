import CLua
import Glibc

// `mp.grid{...}` and `mp.write_csv(path, rows [, columns])`: the two ends
// of a parameter sweep (README, "Scripted experiments").

extension MultiprocessingModule {
    /// `grid{a = {1, 2, 3}, b = {"x", "y"}}`: the list of parameter tables
    /// of the cartesian product, keys in sorted order with the last key
    /// varying fastest: `{a = 1, b = "x"}, {a = 1, b = "y"}, {a = 2, b =
    /// "x"}, ...`.
    static let grid: LuaSwiftFunction = { L in
        luaFunction(L, name: "grid") { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 2)
            guard lua.type(at: 1) == .table else { throw lua.typeFailure(1, expected: "table") }
            var names: [(name: String, bytes: [UInt8], count: Int)] = []
            lua.ensureStack(8)
            lua.pushNil()
            while lua.next(of: 1) {
                guard lua.type(at: -2) == .string, let bytes = stringBytes(lua, at: -2) else {
                    throw lua.argumentFailure(1, "parameter names must be strings, got \(lua.typeName(at: -2))")
                }
                let name = String(decoding: bytes, as: UTF8.self)
                guard lua.type(at: -1) == .table else {
                    throw lua.argumentFailure(1, "parameter '\(name)' must be a list of values, got \(lua.typeNameForError(at: -1))")
                }
                let count = lua.rawLength(at: -1)
                guard count > 0 else {
                    throw lua.argumentFailure(1, "parameter '\(name)' has no values: the grid would be empty")
                }
                names.append((name, bytes, count))
                lua.pop()
            }
            names.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
            var total = 1
            for entry in names {
                let (product, overflow) = total.multipliedReportingOverflow(by: entry.count)
                guard !overflow, product <= PoolItems.itemLimit else {
                    throw lua.argumentFailure(1, "the grid has more than \(PoolItems.itemLimit) points")
                }
                total = product
            }
            lua.newTable(array: Int32(total))
            let list = lua.top
            // The value lists, in name order, above the result.
            guard lua.ensureStack(Int32(min(names.count, 1_000_000)) + 8) else {
                throw lua.argumentFailure(1, "too many parameters (\(names.count))")
            }
            for entry in names {
                lua.push(bytes: entry.bytes)
                lua_rawget(lua.L, 1)
            }
            let firstList = list + 1
            var digits = [Int](repeating: 0, count: names.count)
            for point in 1...total {
                lua.newTable(hash: Int32(names.count))
                for (k, entry) in names.enumerated() {
                    lua.push(bytes: entry.bytes)
                    lua.rawGet(lua_Integer(digits[k] + 1), of: firstList + Int32(k))
                    lua.rawSet(of: -3)
                }
                lua.rawSet(lua_Integer(point), of: list)
                // The last name varies fastest.
                var k = names.count - 1
                while k >= 0 {
                    digits[k] += 1
                    if digits[k] < names[k].count { break }
                    digits[k] = 0
                    k -= 1
                }
            }
            lua.top = list
            return 1
        }
    }

    /// `write_csv(path, rows [, columns])`: writes the list of flat tables
    /// `rows` as CSV (RFC 4180: a header line of column names, fields with
    /// a comma, a quote or a line break quoted, lines ending in CRLF).
    /// Columns: `columns` in its order, else every key of the rows,
    /// sorted. Numbers are written exactly (integers in full, floats in
    /// the shortest form that reads back the same), booleans as
    /// `true`/`false`, nil as an empty field. Returns the number of rows.
    static let writeCSV: LuaSwiftFunction = { L in
        luaFunction(L, name: "write_csv") { lua throws(LuaRaise) in
            try lua.checkNoArguments(from: 4)
            guard lua.type(at: 1) == .string, let path = lua.toString(at: 1) else {
                throw lua.typeFailure(1, expected: "string")
            }
            guard lua.type(at: 2) == .table else { throw lua.typeFailure(2, expected: "table") }
            let rowCount = lua.rawLength(at: 2)
            lua.ensureStack(8)
            var columns: [[UInt8]] = []
            switch lua.type(at: 3) {
            case .none, .nil:
                var seen = Set<[UInt8]>()
                for row in 1...max(rowCount, 1) where rowCount > 0 {
                    lua.rawGet(lua_Integer(row), of: 2)
                    guard lua.type(at: -1) == .table else {
                        throw lua.argumentFailure(2, "row \(row) must be a table, got \(lua.typeNameForError(at: -1))")
                    }
                    lua.pushNil()
                    while lua.next(of: -2) {
                        guard lua.type(at: -2) == .string, let key = stringBytes(lua, at: -2) else {
                            throw lua.argumentFailure(2, "row \(row) has a key that is not a string "
                                                      + "(\(lua.typeName(at: -2))): give the columns as argument #3")
                        }
                        if seen.insert(key).inserted { columns.append(key) }
                        lua.pop()
                    }
                    lua.pop()
                }
                columns.sort { $0.lexicographicallyPrecedes($1) }
            case .table:
                let count = lua.rawLength(at: 3)
                for k in 0..<count {
                    lua.rawGet(lua_Integer(k + 1), of: 3)
                    guard lua.type(at: -1) == .string, let name = stringBytes(lua, at: -1) else {
                        throw lua.argumentFailure(3, "column \(k + 1) must be a string, got \(lua.typeNameForError(at: -1))")
                    }
                    columns.append(name)
                    lua.pop()
                }
                guard !columns.isEmpty else { throw lua.argumentFailure(3, "no columns given") }
            default:
                throw lua.typeFailure(3, expected: "table")
            }
            var text: [UInt8] = []
            // No rows and no columns: an empty file.
            if !columns.isEmpty { appendLine(columns.map(quoted), to: &text) }
            for row in 0..<rowCount {
                lua.rawGet(lua_Integer(row + 1), of: 2)
                guard lua.type(at: -1) == .table else {
                    throw lua.argumentFailure(2, "row \(row + 1) must be a table, got \(lua.typeNameForError(at: -1))")
                }
                var fields: [[UInt8]] = []
                for column in columns {
                    lua.push(bytes: column)
                    lua_rawget(lua.L, -2)
                    guard let field = csvField(lua, at: -1) else {
                        let name = String(decoding: column, as: UTF8.self)
                        throw lua.argumentFailure(2, "row \(row + 1), column '\(name)': a \(lua.typeNameForError(at: -1)) "
                                                  + "cannot be written as CSV")
                    }
                    fields.append(field)
                    lua.pop()
                }
                lua.pop()
                appendLine(fields, to: &text)
            }
            guard let file = fopen(path, "wb") else {
                throw lua.failure("cannot open '\(path)': \(SystemError.describe(errno))")
            }
            let wrote = text.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            let closed = fclose(file)
            guard wrote == text.count, closed == 0 else {
                throw lua.failure("cannot write '\(path)': \(SystemError.describe(errno))")
            }
            lua.push(rowCount)
            return 1
        }
    }
}

/// The bytes of the string at `index`.
private func stringBytes(_ lua: LuaState, at index: Int32) -> [UInt8]? {
    var length = 0
    guard let bytes = lua_tolstring(lua.L, index, &length) else { return nil }
    return Array(UnsafeRawBufferPointer(start: bytes, count: length))
}

/// One CSV field for the value at `index`; nil for a value CSV cannot hold.
private func csvField(_ lua: LuaState, at index: Int32) -> [UInt8]? {
    switch lua.type(at: index) {
    case .nil, .none:
        return []
    case .boolean:
        return Array((lua.toBool(at: index) ? "true" : "false").utf8)
    case .number:
        if lua.isInteger(at: index), let n = lua.toInteger(at: index) { return Array(String(n).utf8) }
        return Array(exactFloat(lua.toNumber(at: index) ?? .nan).utf8)
    case .string:
        return stringBytes(lua, at: index).map(quoted)
    default:
        return nil
    }
}

/// A field as RFC 4180 writes it: quoted, with its quotes doubled, when
/// it holds a comma, a double quote or a line break.
private func quoted(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return bytes }
    var field: [UInt8] = [0x22]
    for byte in bytes {
        field.append(byte)
        if byte == 0x22 { field.append(0x22) }
    }
    field.append(0x22)
    return field
}

/// A float as the shortest text that reads back as the same number, in
/// Lua's spelling: `0.1`, `2.0`, `1e+20`, `inf`, `-inf`, `nan`.
func exactFloat(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    var text = x.description  // shortest round trip: "0.1", "2.0", "1e-05", "1e+20"
    if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { text += ".0" }
    return text
}

private func appendLine(_ fields: [[UInt8]], to text: inout [UInt8]) {
    for (k, field) in fields.enumerated() {
        if k > 0 { text.append(0x2C) }
        text.append(contentsOf: field)
    }
    text.append(contentsOf: [0x0D, 0x0A])
}
