import CLua

// The places in error messages: `[2].log`, `["two words"]`, `<key>`...
// (the notation is documented on CodecError). Built only on the way out of
// a failed encoding, one component per level.

extension CodecError {
    /// The error seen from one level up: `component` goes in front of the
    /// path. Depth errors keep no path: it would be a thousand levels long;
    /// nor do memory errors, which are not about a place.
    @inline(never)
    func inside(_ component: String) -> CodecError {
        guard code != .tooDeep && code != .outOfMemory else { return self }
        var error = self
        error.path = component + error.path
        return error
    }

    /// Seen from the table: item `i` of its array part.
    @inline(never)
    func inside(item i: lua_Integer) -> CodecError {
        inside("[\(i)]")
    }

    /// Seen from the table: the value under the key at `index`.
    @inline(never)
    func inside(keyAt index: Int32, of lua: LuaState) -> CodecError {
        inside(pathComponent(forKeyAt: index, of: lua))
    }

    /// Seen from the function: its upvalue `n`.
    @inline(never)
    func inside(upvalue n: Int32, ofFunctionAt f: Int32, of lua: LuaState) -> CodecError {
        inside("<upvalue '\(lua.upvalueName(n, ofFunctionAt: f) ?? "?")'>")
    }
}

/// How the path names the value stored under the key at `index`.
private func pathComponent(forKeyAt index: Int32, of lua: LuaState) -> String {
    switch lua.type(at: index) {
    case .string:
        let bytes = lua.toBytes(at: index) ?? []
        return isLuaName(bytes) ? "." + String(decoding: bytes, as: UTF8.self) : "[" + quoted(bytes) + "]"
    case .number:
        return "[" + (lua.toString(at: index) ?? "?") + "]"
    case .boolean:
        return lua.toBool(at: index) ? "[true]" : "[false]"
    default:
        return "[<\(lua.typeName(at: index))>]"
    }
}

private let reservedWords: Set<String> = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
    "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
    "true", "until", "while",
]

/// Whether `bytes` spell a Lua name (so `.name` can stand for `["name"]`).
private func isLuaName(_ bytes: [UInt8]) -> Bool {
    guard let first = bytes.first, !isDigit(first) else { return false }
    guard bytes.allSatisfy({ isDigit($0) || isLetter($0) }) else { return false }
    return !reservedWords.contains(String(decoding: bytes, as: UTF8.self))
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

private func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
}

/// A string key in double quotes, escaped as `%q` would (bytes of valid
/// UTF-8 kept), cut after 40 bytes with `...`.
private func quoted(_ bytes: [UInt8]) -> String {
    let shown = bytes.prefix(40)
    let keepHighBytes = String(validating: shown, as: UTF8.self) != nil
    var text = "\""
    var pending: [UInt8] = []
    for byte in shown {
        if byte >= 0x80 && keepHighBytes {
            pending.append(byte)
            continue
        }
        if !pending.isEmpty {
            text += String(decoding: pending, as: UTF8.self)
            pending.removeAll()
        }
        switch byte {
        case 0x22: text += "\\\""
        case 0x5C: text += "\\\\"
        case 0x0A: text += "\\n"
        case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
        default: text += "\\\(byte)"
        }
    }
    text += String(decoding: pending, as: UTF8.self)
    return text + (bytes.count > 40 ? "...\"" : "\"")
}
