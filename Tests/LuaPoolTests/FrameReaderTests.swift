import LuaPool
import Testing

/// `FrameReader`: whole frames out of a byte stream read in pieces of any
/// size, straight into its buffer.
@Suite("Frame reader")
struct FrameReaderTests {
    /// A stream of frames, and a reader function over it that gives at
    /// most `piece` bytes per call (nil once it is all read).
    private final class Stream {
        var bytes: [UInt8] = []
        var position = 0
        var reads = 0

        func add(_ payload: [UInt8]) {
            payload.withUnsafeBytes { Frame.append($0, to: &bytes) }
        }

        func read(into room: UnsafeMutableRawBufferPointer, piece: Int) -> Int? {
            guard position < bytes.count else { return nil }
            reads += 1
            let n = min(room.count, piece, bytes.count - position)
            bytes.withUnsafeBytes { room.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[position..<(position + n)])) }
            position += n
            return n
        }
    }

    /// Every frame the reader hands out, reading until the stream ends.
    private func frames(of stream: Stream, piece: Int, reader: FrameReader = FrameReader()) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while true {
            while try reader.next({ out.append(Array($0)) }) {}
            guard let count = reader.fill({ stream.read(into: $0, piece: piece) }).count, count > 0 else { break }
        }
        return out
    }

    @Test("frames come out whole and in order, whatever the size of the reads", arguments: [1, 3, 7, 4096, 1 << 20])
    func pieces(piece: Int) throws {
        let stream = Stream()
        let payloads: [[UInt8]] = [[], [1], Array(repeating: 7, count: 100_000), [1, 2, 3], Array(0..<200).map(UInt8.init)]
        for payload in payloads { stream.add(payload) }
        let reader = FrameReader()
        #expect(try frames(of: stream, piece: piece, reader: reader) == payloads)
        #expect(!reader.holdsBytes)
    }

    @Test("a large frame takes few reads: the room offered is the rest of the frame")
    func largeFrame() throws {
        let stream = Stream()
        let payload = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0) }
        stream.add(payload)
        #expect(try frames(of: stream, piece: Int.max) == [payload])
        // The header and the first 64 KiB, then the rest in one read.
        #expect(stream.reads == 2)
    }

    @Test("a frame's length alone never makes the reader offer more than 16 MiB")
    func lengthAlone() throws {
        let reader = FrameReader()
        let header: [UInt8] = [0xFF, 0xFF, 0xFF, 0x3F]  // just under 1 GiB
        header.withUnsafeBytes { _ = reader.append($0) }
        #expect(try !reader.next { _ in Issue.record("no frame is whole yet") })
        var offered = 0
        _ = reader.fill { (room: UnsafeMutableRawBufferPointer) -> Int? in
            offered = room.count
            return nil
        }
        #expect(offered <= 1 << 24)
        #expect(offered >= 1 << 16)
    }

    @Test("a length over 1 GiB is refused")
    func oversized() {
        let reader = FrameReader()
        let header: [UInt8] = [0x01, 0x00, 0x00, 0x40]  // 1 GiB + 1
        header.withUnsafeBytes { _ = reader.append($0) }
        #expect(throws: FrameReader.OversizedFrame.self) { try reader.next { _ in } }
        do {
            _ = try reader.next { _ in }
        } catch {
            #expect("\(error)" == "frame of 1073741825 bytes is over the limit of 1073741824")
        }
    }
}
