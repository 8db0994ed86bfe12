import CLua
import CSystem
import Glibc
import Synchronization

/// The allocator of luapool's interpreters: the C library's, except that
/// blocks of a megabyte or more that Lua frees are kept, a few at a time,
/// for the next large request. A large string or table array made again
/// and again (a big value sent to a worker and back, a large map's
/// results) then reuses memory already mapped, instead of mapping and
/// faulting in every page again and unmapping them after: the cost per
/// byte of a large value stayed flat only with this.
public enum LuaAllocator {
    /// Blocks of at least this size are kept when freed.
    static let largeBlock = 1 << 20
    /// At most this many blocks are kept...
    public static let keptBlocks = 4
    /// ...and at most this many bytes.
    public static let keptBytes = 1 << 29

    private struct Block: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let size: Int
    }

    private static let kept = Mutex<[Block]>([])

    /// Makes `lua` allocate through this allocator. Blocks it allocated
    /// before stay valid: both use `realloc` and `free`.
    public static func install(in lua: LuaState) {
        state.pointee.inUse = Int64(clua_gc(lua.L, LUA_GCCOUNT)) * 1024 + Int64(clua_gc(lua.L, LUA_GCCOUNTB))
        lua_setallocf(lua.L, allocate, UnsafeMutableRawPointer(state))
    }

    /// The counts, shared with the C trampoline of Swift functions (which
    /// lifts the limit while one runs; see CLua/shim.h).
    nonisolated(unsafe) fileprivate static let state: UnsafeMutablePointer<clua_AllocState> = {
        let state = UnsafeMutablePointer<clua_AllocState>.allocate(capacity: 1)
        state.initialize(to: clua_AllocState(magic: CLUA_ALLOC_MAGIC, inUse: 0, limit: 0))
        return state
    }()

    /// The bytes Lua holds through this allocator (one interpreter a
    /// process, as in luapool's processes).
    public static var inUse: Int { Int(state.pointee.inUse) }

    /// While set, a request that would take ``inUse`` past it fails, and
    /// Lua raises `not enough memory`: a task's memory cap (a worker sets
    /// it around each task). Swift functions called from Lua run without
    /// it.
    public static var limit: Int? {
        get { state.pointee.limit == 0 ? nil : Int(state.pointee.limit) }
        set { state.pointee.limit = Int64(newValue ?? 0) }
    }

    /// The bytes the kept blocks take.
    public static var keptSize: Int { kept.withLock { $0.reduce(0) { $0 + $1.size } } }

    /// Frees the kept blocks: the process has been idle a while.
    public static func release() {
        let blocks = kept.withLock { blocks in
            let all = blocks
            blocks.removeAll()
            return all
        }
        for block in blocks { free(block.base) }
    }

    /// Keeps a freed large block, or frees it.
    fileprivate static func keep(_ base: UnsafeMutableRawPointer, size: Int) {
        let freed: [UnsafeMutableRawPointer] = kept.withLock { blocks in
            guard let evicted = makeRoom(in: blocks.map(\.size), for: size) else { return [base] }
            let gone = Set(evicted)
            let freed = evicted.map { blocks[$0].base }
            blocks = blocks.indices.filter { !gone.contains($0) }.map { blocks[$0] }
            blocks.append(Block(base: base, size: size))
            return freed
        }
        for block in freed { free(block) }
    }

    /// Which of the kept blocks (their sizes) to free so that a freed
    /// block of `size` bytes can be kept, within ``keptBlocks`` and
    /// ``keptBytes``: the smallest first, and only blocks smaller than it.
    /// Nil when it cannot be kept. As many as it takes: blocks of the
    /// sizes a script used before (64 MiB, say) must not keep out those of
    /// the size it uses now (256 MiB), which would then be mapped and
    /// faulted in again at every call.
    public static func makeRoom(in kept: [Int], for size: Int,
                                blocks maxBlocks: Int = keptBlocks, bytes maxBytes: Int = keptBytes) -> [Int]? {
        var total = kept.reduce(0, +)
        var count = kept.count
        let smaller = kept.indices.filter { kept[$0] < size }.sorted { kept[$0] < kept[$1] }
        var evicted = 0
        while count >= maxBlocks || total + size > maxBytes, evicted < smaller.count {
            total -= kept[smaller[evicted]]
            count -= 1
            evicted += 1
        }
        guard count < maxBlocks, total + size <= maxBytes else { return nil }
        return Array(smaller.prefix(evicted))
    }

    /// A kept block of at least `size` bytes and at most twice that.
    fileprivate static func take(atLeast size: Int) -> UnsafeMutableRawPointer? {
        kept.withLock { blocks in
            guard let i = blocks.indices.filter({ blocks[$0].size >= size && blocks[$0].size <= 2 * size })
                .min(by: { blocks[$0].size < blocks[$1].size }) else { return nil }
            return blocks.remove(at: i).base
        }
    }
}

/// `lua_Alloc`: as lauxlib's `l_alloc`, with large blocks kept, the bytes
/// in use counted and a limit kept.
private let allocate: lua_Alloc = { ud, block, oldSize, newSize in
    // The counts are the userdata (LuaAllocator.state).
    let state = ud.unsafelyUnwrapped.assumingMemoryBound(to: clua_AllocState.self)
    // For a new block, `oldSize` is a type tag, not a size.
    let old = block == nil ? 0 : oldSize
    if newSize == 0 {
        if let block {
            state.pointee.inUse &-= Int64(old)
            if old >= LuaAllocator.largeBlock {
                // Its own size, not the value's: a kept block handed to a
                // smaller value (up to twice its size) is still as large,
                // and kept as such for the next value of its first size.
                LuaAllocator.keep(block, size: max(old, malloc_usable_size(block)))
            } else {
                free(block)
            }
        }
        return nil
    }
    if state.pointee.limit != 0, newSize > old, state.pointee.inUse + Int64(newSize - old) > state.pointee.limit {
        return nil
    }
    if block == nil, newSize >= LuaAllocator.largeBlock, let kept = LuaAllocator.take(atLeast: newSize) {
        state.pointee.inUse &+= Int64(newSize)
        return kept
    }
    guard let grown = realloc(block, newSize) else { return nil }
    state.pointee.inUse &+= Int64(newSize) &- Int64(old)
    return grown
}
