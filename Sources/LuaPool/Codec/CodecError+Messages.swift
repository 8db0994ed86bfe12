import CLua

// Every message the codec gives, in one place. Built out of line: the
// encoder and decoder recurse, and text built inline would make each of
// their stack frames larger.

extension CodecError {
    // MARK: Encoding

    @inline(never)
    static func unsendable(_ lua: LuaState, at index: Int32) -> CodecError {
        switch lua.type(at: index) {
        case .userdata:
            let name = lua.typeNameForError(at: index)
            return CodecError(.unsendable, name == "userdata" ? "cannot send userdata" : "cannot send userdata (\(name))")
        case .lightUserdata:
            return CodecError(.unsendable, "cannot send light userdata")
        case .function:
            let what = lua.upvalueCount(ofFunctionAt: index) > 0 ? "C function with upvalues" : "C function"
            return CodecError(.unsendable, "cannot send \(what) (not found in package.loaded)")
        default:
            return CodecError(.unsendable, "cannot send \(lua.typeName(at: index))")
        }
    }

    @inline(never)
    static func tooLarge(_ what: String) -> CodecError {
        CodecError(.unsendable, "cannot send \(what) larger than \(UInt32.max)")
    }

    @inline(never)
    static func tooDeepToSend() -> CodecError {
        CodecError(.tooDeep, "cannot send value nested deeper than \(Codec.maxDepth) levels")
    }

    @inline(never)
    static func stackOverflowSending() -> CodecError {
        CodecError(.tooDeep, "cannot send value: Lua stack overflow")
    }

    /// Lua's own text for a failed allocation.
    @inline(never)
    static func outOfMemory() -> CodecError {
        CodecError(.outOfMemory, "not enough memory")
    }

    /// A message of `length` bytes where at most `limit` go: one value,
    /// or `values` values together.
    @inline(never)
    static func tooLargeToSend(_ length: Int, limit: Int, values: Int = 1) -> CodecError {
        let what = values == 1 ? "value of \(length) bytes" : "\(values) values in one message of \(length) bytes"
        return CodecError(.tooLarge, "cannot send \(what) (the limit is \(limit) bytes)")
    }

    // MARK: Decoding

    @inline(never)
    static func badData(_ detail: String) -> CodecError {
        CodecError(.badData, "bad data: " + detail)
    }

    @inline(never)
    static func badData(_ detail: String, at offset: Int) -> CodecError {
        badData("\(detail) at byte \(offset)")
    }

    @inline(never)
    static func unsupportedVersion(_ version: UInt8) -> CodecError {
        badData("unsupported format version \(version) (expected \(Codec.version))")
    }

    @inline(never)
    static func badTag(_ tag: UInt8, at offset: Int) -> CodecError {
        let hex = String(tag, radix: 16)
        return badData("unknown tag 0x\(hex.count < 2 ? "0" + hex : hex)", at: offset)
    }

    @inline(never)
    static func tooMany(_ count: Int, left: Int, at offset: Int) -> CodecError {
        badData("\(count) values announced but only \(left) bytes left", at: offset)
    }

    @inline(never)
    static func tooLong(_ length: UInt64, left: Int, at offset: Int) -> CodecError {
        badData("length \(length) exceeds the \(left) bytes left", at: offset)
    }

    @inline(never)
    static func tooDeepToLoad(at offset: Int) -> CodecError {
        badData("nested deeper than \(Codec.maxDepth) levels", at: offset)
    }

    /// More values than Lua's stack takes, in the words of
    /// `luaL_checkstack`.
    @inline(never)
    static func stackOverflowLoading(_ count: Int) -> CodecError {
        CodecError(.stackOverflow, "stack overflow (cannot load \(count) values)")
    }

    @inline(never)
    static func badMetatable(_ lua: LuaState, at offset: Int) -> CodecError {
        badData("metatable is a \(lua.typeName(at: -1))", at: offset)
    }

    @inline(never)
    static func unknownObject(_ number: Int, at offset: Int) -> CodecError {
        badData("reference to unknown object \(number)", at: offset)
    }

    @inline(never)
    static func unknownUpvalue(_ number: Int, at offset: Int) -> CodecError {
        badData("join to unknown upvalue \(number)", at: offset)
    }

    @inline(never)
    static func badBytecode(_ error: LuaError, at offset: Int) -> CodecError {
        badData("cannot load function: \(error.message)", at: offset)
    }

    /// What `loads` refuses unless given `{functions = true}`.
    @inline(never)
    static func refused(_ what: String) -> CodecError {
        CodecError(.functionRefused,
                   "cannot load \(what): functions are refused (pass {functions = true} to load them from a trusted source)")
    }

    @inline(never)
    static func notFound(_ what: String) -> CodecError {
        CodecError(.notFound, "cannot find \(what)")
    }
}
