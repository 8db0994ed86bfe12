import CLua
import LuaPool
import Testing

/// The exact text of every refusal, from Swift and from Lua.
@Suite("Codec errors")
struct CodecErrorTests {
    let lua: LuaState

    init() throws {
        lua = try makeCodecLua()
    }

    /// The error `dumps(expression)` raises when called through pcall (so
    /// without a position).
    func dumpsError(_ expression: String) throws -> String? {
        try lua.evaluate("select(2, pcall(mp.dumps, \(expression)))").stringValue
    }

    @Test("what cannot be sent, and where it sits", arguments: [
        ("io.stdout", "cannot send userdata (FILE*)"),
        ("coroutine.create(print)", "cannot send thread"),
        ("string.gmatch('a', 'a')", "cannot send C function with upvalues (not found in package.loaded)"),
        ("{1, {log = io.stderr}}", "cannot send userdata (FILE*) at [2].log"),
        ("{name = coroutine.create(print)}", "cannot send thread at .name"),
        ("{['two words'] = {[1.5] = {[true] = io.stdin}}}", "cannot send userdata (FILE*) at [\"two words\"][1.5][true]"),
        ("{['end'] = io.stdin, ok = 1}", "cannot send userdata (FILE*) at [\"end\"]"),
        ("{['a\\nb\"c'] = io.stdin}", "cannot send userdata (FILE*) at [\"a\\nb\\\"c\"]"),
        ("{[{}] = io.stdin}", "cannot send userdata (FILE*) at [<table>]"),
        ("{[io.stdin] = 1}", "cannot send userdata (FILE*) at <key>"),
        ("{[{x = {io.stdin}}] = 1}", "cannot send userdata (FILE*) at <key>.x[1]"),
        ("setmetatable({}, {__index = {f = io.stdin}})", "cannot send userdata (FILE*) at <metatable>.__index.f"),
        ("(function() local log = io.stdout return function() return log end end)()",
         "cannot send userdata (FILE*) at <upvalue 'log'>"),
        ("{handler = (function() local out = {io.stdout} return function() return out end end)()}",
         "cannot send userdata (FILE*) at .handler<upvalue 'out'>[1]"),
    ])
    func unsendable(_ expression: String, _ message: String) throws {
        #expect(try dumpsError(expression) == message)
    }

    @Test func userdataWithoutNameAndLightUserdata() throws {
        _ = lua_newuserdatauv(lua.L, 8, 0)
        #expect(throws: CodecError.self) { try Codec.encode(lua, topValues: 1) }
        #expect(message(encodingTop: 1) == "cannot send userdata")
        lua.pop()
        lua.push(lightUserdata: UnsafeMutableRawPointer(bitPattern: 0x1234))
        #expect(message(encodingTop: 1) == "cannot send light userdata")
        lua.pop()
        clua_pushcfunction(lua.L, luaopen_math)
        #expect(message(encodingTop: 1) == "cannot send C function (not found in package.loaded)")
        lua.pop()
    }

    func message(encodingTop count: Int32) -> String? {
        do {
            _ = try Codec.encode(lua, topValues: count)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("the error names the value and the place; a caller can name the root") func structuredError() throws {
        try lua.run("return 1, {list = {2, io.stdout}}", results: 2)
        do {
            _ = try Codec.encode(lua, topValues: 2)
            Issue.record("encoded a userdata")
        } catch {
            #expect(error.code == .unsendable)
            #expect(error.reason == "cannot send userdata (FILE*)")
            #expect(error.path == ".list[2]")
            #expect(error.valueIndex == 1)
            #expect(error.message(root: "args[2]") == "cannot send userdata (FILE*) at args[2].list[2]")
        }
        lua.pop(2)
        try lua.run("return coroutine.create(print)", results: 1)
        do {
            _ = try Codec.encode(lua, topValues: 1)
        } catch {
            #expect(error.message == "cannot send thread")
            #expect(error.message(root: "args") == "cannot send thread at args")
        }
    }

    @Test("from Lua, errors carry the caller's position") func positions() throws {
        #expect(lua.error(running: "mp.dumps({io.stdout})")?.message == "test:1: cannot send userdata (FILE*) at [1]")
        #expect(lua.error(running: "mp.loads('')")?.message == "test:1: bad data: empty string")
    }

    @Test("argument errors", arguments: [
        ("mp.dumps()", "test:1: bad argument #1 to 'dumps' (value expected)"),
        ("mp.loads()", "test:1: bad argument #1 to 'loads' (string expected, got no value)"),
        ("mp.loads(nil)", "test:1: bad argument #1 to 'loads' (string expected, got nil)"),
        ("mp.loads(12)", "test:1: bad argument #1 to 'loads' (string expected, got number)"),
        ("mp.loads(mp.dumps(1), 'x')", "test:1: bad argument #2 to 'loads' (table expected, got string)"),
        ("mp.loads(mp.dumps(1), {functions = 1})",
         "test:1: bad argument #2 to 'loads' (option 'functions' must be a boolean, got number)"),
        ("mp.loads(mp.dumps(1), {fuctions = false})", "test:1: bad argument #2 to 'loads' (unknown option 'fuctions')"),
        ("mp.loads(mp.dumps(1), {false})", "test:1: bad argument #2 to 'loads' (unknown option 'number')"),
    ])
    func argumentErrors(_ code: String, _ message: String) throws {
        #expect(lua.error(running: code)?.message == message)
    }

    @Test func optionsAreAccepted() throws {
        #expect(try lua.holds("return mp.loads(mp.dumps(7), {functions = true}) == 7"))
        #expect(try lua.holds("return mp.loads(mp.dumps(7), {functions = false}) == 7"))
        #expect(try lua.holds("return mp.loads(mp.dumps(7), {}) == 7 and mp.loads(mp.dumps(7), nil) == 7"))
    }

    /// The message `loads(bytes, {functions = allowed})` raises, through
    /// pcall.
    func loadsError(_ bytes: String, functions: Bool = true) throws -> String? {
        try lua.evaluate("select(2, pcall(mp.loads, \(bytes), {functions = \(functions)}))").stringValue
    }

    @Test("what functions = false refuses", arguments: [
        ("function() end", "cannot load function: functions are refused (pass {functions = true} to load them from a trusted source)"),
        ("math.sqrt", "cannot load C function 'math.sqrt': functions are refused (pass {functions = true} to load them from a trusted source)"),
        ("string", "cannot load module 'string': functions are refused (pass {functions = true} to load them from a trusted source)"),
        ("_G", "cannot load the global table: functions are refused (pass {functions = true} to load them from a trusted source)"),
        ("{1, {f = print}}", "cannot load C function '_G.print': functions are refused (pass {functions = true} to load them from a trusted source)"),
    ])
    func refusedFunctions(_ expression: String, _ message: String) throws {
        #expect(try loadsError("mp.dumps(\(expression))", functions: false) == message)
        #expect(try loadsError("mp.dumps(\(expression))", functions: true) == nil)
    }

    @Test("bad data", arguments: [
        ("''", "bad data: empty string"),
        ("'\\2'", "bad data: unsupported format version 2 (expected 1)"),
        ("'\\0\\1\\0\\0\\0'", "bad data: unsupported format version 0 (expected 1)"),
        ("'\\1'", "bad data: truncated at byte 1"),
        ("mp.dumps(12345):sub(1, 9)", "bad data: truncated at byte 8"),
        ("mp.dumps(1) .. 'x'", "bad data: bytes after the last value at byte 9"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\63'", "bad data: unknown tag 0x3f at byte 7"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\16\\0\\0\\0\\0'", "bad data: unknown tag 0x10 at byte 7"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\71\\0'", "bad data: unknown tag 0x47 at byte 7"),
        ("'\\1\\2\\0\\0\\0\\0\\0\\0'", "bad data: 2 values announced but only 1 bytes left at byte 7"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\8\\255\\255\\255\\255'", "bad data: length 4294967295 exceeds the 0 bytes left at byte 12"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\7\\5abc'", "bad data: length 5 exceeds the 3 bytes left at byte 9"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\10\\64\\66\\15\\0\\0\\0\\0\\0' .. string.rep('\\0', 100)",
         "bad data: 1000000 values announced but only 100 bytes left at byte 16"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\10\\0\\0\\0\\0\\1\\0\\0\\0\\0\\0'", "bad data: table key is nil at byte 17"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\10\\0\\0\\0\\0\\1\\0\\0\\0\\6\\0\\0\\0\\0\\0\\0\\248\\127\\1'",
         "bad data: table key is NaN at byte 25"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\11\\0\\0\\0\\0'", "bad data: reference to unknown object 0 at byte 8"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\74\\0\\0\\0\\0\\0\\0\\0\\0\\1'", "bad data: metatable is a boolean at byte 17"),
        ("'\\1\\1\\0\\0\\0\\1\\0\\18\\0'", "bad data: empty key slot 0 at byte 8"),
        ("'\\1\\1\\0\\0\\0\\0\\0\\17\\0\\0'", "bad data: key slot 0 out of range at byte 8"),
        ("'\\1\\1\\0\\0\\0\\1\\1\\0'", "bad data: too many key slots at byte 5"),
    ])
    func badData(_ bytes: String, _ message: String) throws {
        #expect(try loadsError(bytes) == message)
        #expect(try loadsError(bytes, functions: false) == message)
    }

    @Test("hostile nesting is refused before it recurses") func hostileNesting() throws {
        let message = try loadsError("""
            '\\1\\1\\0\\0\\0\\0\\0' .. string.rep('\\10\\1\\0\\0\\0\\0\\0\\0\\0', 1001) .. '\\0'
            """)
        #expect(message == "bad data: nested deeper than 1000 levels at byte 9007")
    }

    @Test("a corrupted function fails its checksum") func checksum() throws {
        try lua.run("s = mp.dumps(function(x) return x + 1 end)")
        #expect(try lua.holds("return mp.loads(s, {functions = true})(1) == 2"))
        // Version, count, key slots, tag (byte 7), length, checksum (bytes
        // 12 to 19), then the bytecode: a bit flipped in either is caught.
        #expect(try loadsError("s:sub(1, 30) .. string.char(s:byte(31) ~ 1) .. s:sub(32)")
            == "bad data: function checksum mismatch at byte 7")
        #expect(try loadsError("s:sub(1, 13) .. string.char(s:byte(14) ~ 1) .. s:sub(15)")
            == "bad data: function checksum mismatch at byte 7")
    }

    @Test("bytes that pass the checksum must still be bytecode") func notBytecode() throws {
        // A "function" whose bytes are text, with the right checksum.
        try lua.run("""
            local fnv = function(s)
              local h = 0xcbf29ce484222325
              for i = 1, #s do h = (h ~ s:byte(i)) * 0x100000001b3 end
              return h
            end
            local text = 'return 1'
            s = '\\1\\1\\0\\0\\0\\0\\0\\12' .. string.pack('<I4i8', #text, fnv(text)) .. text .. '\\0'
            """)
        let message = try loadsError("s")
        #expect(message?.hasPrefix("bad data: cannot load function: ") == true)
        #expect(message?.hasSuffix(" at byte 7") == true)
    }

    @Test("the stack is as it was after any failure") func stackBalance() throws {
        let top = lua.top
        for bytes: [UInt8] in [[], [1], [1, 1, 0, 0, 0, 0, 0, 10, 1, 0, 0, 0, 0, 0, 0, 0, 99]] {
            #expect(throws: CodecError.self) { try Codec.decode(lua, bytes) }
            #expect(lua.top == top)
        }
        try lua.run("return {1, 2, {io.stdout}}", results: 1)
        #expect(throws: CodecError.self) { try Codec.encode(lua, topValues: 1) }
        #expect(lua.top == top + 1)
    }
}
