import LuaPool
import Testing

/// Which large blocks the allocator keeps for the next large request.
@Suite("Allocator's kept blocks")
struct AllocatorTests {
    static let mib = 1 << 20

    @Test("room while there is room: nothing freed")
    func room() {
        #expect(LuaAllocator.makeRoom(in: [], for: 256 * Self.mib) == [])
        #expect(LuaAllocator.makeRoom(in: [64, 64, 64].map { $0 * Self.mib }, for: 256 * Self.mib) == [])
    }

    /// The blocks of an earlier, smaller size go, as many as it takes, so
    /// that a block of the size used now is kept (it was freed instead,
    /// and mapped and faulted in again at every call).
    @Test("smaller blocks make room, the smallest first, as many as it takes")
    func smallerMakeRoom() {
        let kept = [64, 256, 32, 64].map { $0 * Self.mib }
        #expect(LuaAllocator.makeRoom(in: kept, for: 256 * Self.mib) == [2, 0, 3])
        #expect(LuaAllocator.makeRoom(in: [1, 2, 3, 4].map { $0 * Self.mib }, for: 5 * Self.mib) == [0])
    }

    @Test("a block is not kept at the cost of larger ones, nor beyond the limits")
    func notKept() {
        #expect(LuaAllocator.makeRoom(in: [300, 200].map { $0 * Self.mib }, for: 100 * Self.mib) == nil)
        #expect(LuaAllocator.makeRoom(in: [], for: LuaAllocator.keptBytes + 1) == nil)
        #expect(LuaAllocator.makeRoom(in: [8, 8, 8, 8].map { $0 * Self.mib }, for: 8 * Self.mib) == nil)
        #expect(LuaAllocator.makeRoom(in: [2], for: 3, blocks: 1, bytes: 4) == [0])
    }
}
