import CLua
import LuaPool
import Testing

/// A small, fast, seedable generator (SplitMix64), so that a failing input
/// can be found again from the seed alone.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int {
        Int(next() % UInt64(n))
    }

    mutating func byte() -> UInt8 {
        UInt8(truncatingIfNeeded: next())
    }
}

/// Mutations of valid messages, in the spirit of a fuzzer's: bit flips,
/// byte and length-field overwrites, truncations, insertions, deletions
/// and splices of other messages.
struct Mutator {
    var random: SplitMix64
    let corpus: [[UInt8]]

    /// Values that make lengths and counts interesting.
    static let interesting: [UInt32] = [
        0, 1, 2, 7, 8, 127, 128, 255, 256, 1000, 0x7FFF, 0xFFFF, 0x1_0000, 1_000_000,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ]

    mutating func input() -> [UInt8] {
        if random.below(20) == 0 { return noise() }
        var bytes = corpus[random.below(corpus.count)]
        for _ in 0..<(random.below(3) == 0 ? 2 + random.below(2) : 1) { mutate(&bytes) }
        return bytes
    }

    /// Random bytes behind a plausible header.
    mutating func noise() -> [UInt8] {
        var bytes: [UInt8] = [Codec.version, UInt8(random.below(4)), 0, 0, 0, UInt8(random.below(3)), 0]
        for _ in 0..<random.below(64) {
            bytes.append(random.below(2) == 0 ? UInt8(random.below(0x13)) : random.byte())
        }
        return bytes
    }

    mutating func mutate(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else {
            bytes.append(random.byte())
            return
        }
        // Mostly past the 7-byte header, whose mutations end early.
        let header = bytes.count > 8 && random.below(8) != 0 ? 7 : 0
        let at = header + random.below(bytes.count - header)
        switch random.below(8) {
        case 0, 1:
            bytes[at] ^= 1 << UInt8(random.below(8))
        case 2:
            bytes[at] = random.below(2) == 0 ? random.byte() : UInt8(random.below(0x13)) | (random.below(4) == 0 ? 0x80 : 0)
        case 3:
            let value = random.below(3) == 0 ? UInt32(truncatingIfNeeded: random.next())
                : Mutator.interesting[random.below(Mutator.interesting.count)]
            for k in 0..<min(4, bytes.count - at) { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
        case 4:
            bytes.removeSubrange(at...)
        case 5:
            let inserted = (0..<1 + random.below(8)).map { _ in random.byte() }
            bytes.insert(contentsOf: inserted, at: at)
        case 6:
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(16)))
        default:
            let other = corpus[random.below(corpus.count)]
            let start = random.below(other.count)
            let piece = other[start..<min(other.count, start + 1 + random.below(32))]
            bytes.insert(contentsOf: piece, at: at)
        }
    }
}

/// Lua code that builds random values from a seed: every kind the codec
/// carries, with cycles, shared tables, metatables, closures sharing
/// upvalues, C functions and modules.
private let generator = """
    local keys = {'id', 'name', 'score', 'x', 'end', 'two words', ''}
    local closures = {}
    do
      local shared, count = {1, 2}, 0
      closures[1] = function() return shared, count end
      closures[2] = function(x) count = count + x return count end
      local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
      closures[3] = fact
      closures[4] = function() return math.pi end
      closures[5] = math.sqrt
      closures[6] = string.format
      closures[7] = {closures[1], closures[2], closures[2]}
    end
    local named = {math, string, _G, table.concat}

    local function text()
      local t = {}
      for i = 1, math.random(0, 12) do t[i] = string.char(math.random(0, 255)) end
      return table.concat(t)
    end

    local value
    local function key(depth, made)
      local r = math.random(6)
      if r == 1 then return keys[math.random(#keys)]
      elseif r == 2 then return text()
      elseif r == 3 then return math.random(-5, 40)
      elseif r == 4 then return math.random() * 100
      elseif r == 5 then return math.random(2) == 1
      else return value(depth + 1, made) or 'k' end
    end

    function value(depth, made)
      local r = math.random(depth > 3 and 9 or 13)
      if r == 1 then return nil
      elseif r == 2 then return math.random(2) == 1
      elseif r == 3 then return math.random(-300, 300)
      elseif r == 4 then return math.random(math.mininteger, math.maxinteger)
      elseif r == 5 then
        local specials = {0.0, -0.0, 1/0, -1/0, 0/0, 0.5, 1e300, 5e-324}
        return specials[math.random(#specials)]
      elseif r == 6 then
        return (string.unpack('<d', string.pack('<i8', math.random(math.mininteger, math.maxinteger))))
      elseif r == 7 then return text()
      elseif r == 8 then return keys[math.random(#keys)]
      elseif r == 9 then return string.rep(string.char(math.random(0, 255)), math.random(250, 300))
      elseif r <= 11 then
        if #made > 0 and math.random(5) == 1 then return made[math.random(#made)] end
        local t = {}
        made[#made + 1] = t
        for i = 1, math.random(0, 5) do t[i] = value(depth + 1, made) end
        for _ = 1, math.random(0, 4) do
          local k = key(depth, made)
          if k == k then t[k] = value(depth + 1, made) end
        end
        if math.random(8) == 1 then setmetatable(t, made[math.random(#made)]) end
        return t
      elseif r == 12 then return closures[math.random(#closures)]
      else return named[math.random(#named)] end
    end

    return function(seed, count)
      math.randomseed(seed)
      local out = {}
      for i = 1, count do
        local made = {}
        local v = value(0, made)
        while math.random(5) > 1 and type(v) ~= 'table' do v = value(0, made) end
        out[i] = mp.dumps(v)
      end
      return out
    end
    """

@Suite("Codec fuzzing")
struct CodecFuzzTests {
    /// Random and mutated inputs to `decode`, each in both modes: nothing
    /// may crash, every failure must be a CodecError, the stack must be as
    /// it was, and whatever decodes must encode again.
    @Test("100,000 seeded inputs, each in both modes") func fuzzDecode() throws {
        let lua = try makeCodecLua()
        let corpus = try makeCorpus(lua, seed: 20_261_121, count: 400)
        var mutator = Mutator(random: SplitMix64(state: 0x5EED_C0DE), corpus: corpus)
        let base = lua.top
        var decoded = 0, refused = 0
        for i in 0..<100_000 {
            let input = mutator.input()
            for allowFunctions in [false, true] {
                do {
                    let count = try Codec.decode(lua, input, allowFunctions: allowFunctions)
                    #expect(lua.top == base + count)
                    _ = try Codec.encode(lua, topValues: count)
                    decoded += 1
                } catch {
                    #expect(lua.top == base, "input \(i): \(error)")
                    refused += 1
                }
                lua.top = base
            }
            if i % 10_000 == 0 { _ = clua_gc(lua.L, LUA_GCCOLLECT) }
        }
        #expect(decoded + refused == 200_000)
        #expect(decoded > 20_000 && refused > 20_000)
    }

    @Test("the corpus itself decodes and re-encodes to the same bytes") func corpusRoundTrips() throws {
        let lua = try makeCodecLua()
        for bytes in try makeCorpus(lua, seed: 7, count: 200) {
            let count = try Codec.decode(lua, bytes)
            #expect(count == 1)
            let again = try Codec.encode(lua, topValues: 1)
            lua.pop()
            #expect(try Codec.decode(lua, again) == 1)
            lua.pop()
        }
    }

    private func makeCorpus(_ lua: LuaState, seed: Int, count: Int) throws -> [[UInt8]] {
        try lua.run(generator, results: 1)
        lua.push(seed)
        lua.push(count)
        try lua.call(arguments: 2, results: 1)
        defer { lua.pop() }
        return (1...count).map { i in
            lua.rawGet(lua_Integer(i), of: -1)
            defer { lua.pop() }
            return lua.toBytes(at: -1) ?? []
        }
    }
}
