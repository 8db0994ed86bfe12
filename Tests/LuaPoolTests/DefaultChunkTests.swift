import LuaPool
import Testing

/// The default chunk size of map and starmap: Python's (about four chunks
/// per worker), larger for a function whose items were quick, within
/// bounds that keep slower items spread.
@Suite("Default chunks")
struct DefaultChunkTests {
    @Test("without a known time: about four chunks per worker, at most 65,536 items")
    func pythonDefault() {
        #expect(WorkerPool.defaultChunkSize(for: 10_000, workers: 2, itemNanos: nil) == 1250)
        #expect(WorkerPool.defaultChunkSize(for: 10_001, workers: 2, itemNanos: nil) == 1251)
        #expect(WorkerPool.defaultChunkSize(for: 3, workers: 2, itemNanos: nil) == 1)
        #expect(WorkerPool.defaultChunkSize(for: 0, workers: 2, itemNanos: nil) == 1)
        #expect(WorkerPool.defaultChunkSize(for: 10_000_000, workers: 2, itemNanos: nil) == 65_536)
        #expect(WorkerPool.defaultChunkSize(for: 100, workers: 0, itemNanos: nil) == 25)
    }

    @Test("quick items: about 2 ms a chunk, down to two chunks per worker")
    func quickItems() {
        // 50 ns an item: 2 ms is 40,000 items, more than half a worker's share.
        #expect(WorkerPool.defaultChunkSize(for: 10_000, workers: 2, itemNanos: 50) == 2500)
        // 1 us an item: 2,000 items a chunk, more than Python's 1,250.
        #expect(WorkerPool.defaultChunkSize(for: 10_000, workers: 2, itemNanos: 1_000) == 2000)
        // 1 ns an item over 10^7 items: still at most 65,536.
        #expect(WorkerPool.defaultChunkSize(for: 10_000_000, workers: 2, itemNanos: 1) == 65_536)
        // A count that does not divide evenly: chunks still cover it.
        #expect(WorkerPool.defaultChunkSize(for: 10_001, workers: 2, itemNanos: 50) == 2501)
        #expect(WorkerPool.defaultChunkSize(for: 3, workers: 2, itemNanos: 50) == 1)
    }

    @Test("slow items, or a time of 0: Python's default")
    func slowItems() {
        #expect(WorkerPool.defaultChunkSize(for: 10_000, workers: 2, itemNanos: 10_000_000) == 1250)
        #expect(WorkerPool.defaultChunkSize(for: 10_000, workers: 2, itemNanos: 0) == 1250)
        #expect(WorkerPool.defaultChunkSize(for: 10_000, workers: 2, itemNanos: 3_000_000) == 1250)
    }
}
