// libFuzzer entry point for the codec's decoder. Built together with the
// LuaPool sources by scripts/fuzz-codec; see Fuzz/README.md.
import CLua
import Glibc

/// One interpreter for the whole run, as a worker keeps one.
private let lua: LuaState = {
    let lua = LuaState()!
    lua.openLibraries()
    LuaPoolModules.open(lua)
    return lua
}()

/// With CODEC_FUZZ_FUNCTIONS=1 inputs are also decoded with functions
/// allowed. Expect crashes inside Lua's loader then: libFuzzer sees the
/// checksum comparison and can forge a matching checksum for corrupt
/// bytecode, which is why `loads` with functions is only for data from
/// `dumps`.
private let withFunctions = getenv("CODEC_FUZZ_FUNCTIONS").map { String(cString: $0) == "1" } ?? false

@_cdecl("LLVMFuzzerTestOneInput")
public func codecFuzzTestOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    decodeAndReencode(bytes, allowFunctions: false)
    if withFunctions { decodeAndReencode(bytes, allowFunctions: true) }
    return 0
}

/// Whatever decodes must encode again; a failure there is a bug.
private func decodeAndReencode(_ bytes: UnsafeRawBufferPointer, allowFunctions: Bool) {
    lua.top = 0
    defer { lua.top = 0 }
    guard let count = try? Codec.decode(lua, bytes, allowFunctions: allowFunctions) else {
        precondition(lua.top == 0, "a failed decode left values on the stack")
        return
    }
    precondition(lua.top == count, "decode pushed \(lua.top) values, said \(count)")
    do {
        _ = try Codec.encode(lua, topValues: count)
    } catch {
        fatalError("decoded values do not encode again: \(error)")
    }
}
