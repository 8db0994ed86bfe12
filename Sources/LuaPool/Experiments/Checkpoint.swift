import Glibc

/// `checkpoint = "path"`: the finished results of a mapping call, appended
/// to a file as they arrive, so that the same call run again (after a
/// crash, a Ctrl-C, a kill) skips what is done. See README, "Scripted
/// experiments".
///
/// The file: a text header, then binary records.
///
///     luapool checkpoint 1
///     codec 1
///     function <32 hex digits>
///     inputs <32 hex digits>
///     items 250
///     seed 42            (or: seed none)
///     call 0             (or: call none)
///     <empty line>
///     record: length:u32 checksum:u64 first:i64 size:u32 format:u8
///             failed:u32 failed-index:i64... results (codec bytes)
///
/// The function and inputs are keyed by ``Codec/canonicalHash(_:first:count:)``.
/// A record holds a chunk's results as the worker sent them (a list of
/// values, or with format 1 a list table); `failed` names the items of the
/// chunk that failed (errors = "collect"), which do not count as done.
/// Records are written as they come (a host killed loses nothing written)
/// and synced to disk at least once a second; a torn last record (a
/// crash mid-write) is cut off when the file is opened again.
final class Checkpoint {
    let path: String
    private var fd: Int32
    private var unsynced = false
    private var lastSync: Int64

    /// What the file must have been written for.
    struct Key: Equatable {
        var codec: Int
        var function: String
        var inputs: String
        var items: Int
        /// nil: the pool has no seed (then the call number is not kept).
        var seed: Int64?
        var call: Int64?

        var headerText: String {
            """
            \(Checkpoint.magic)
            codec \(codec)
            function \(function)
            inputs \(inputs)
            items \(items)
            seed \(seed.map { String($0) } ?? "none")
            call \(call.map { String($0) } ?? "none")


            """
        }

        /// Reads a header's fields; nil when the text is not one.
        init?(header text: String) {
            var fields: [String: String] = [:]
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.first.map(String.init) == Checkpoint.magic else { return nil }
            for line in lines.dropFirst() where !line.isEmpty {
                guard let space = line.firstIndex(of: " ") else { return nil }
                fields[String(line[..<space])] = String(line[line.index(after: space)...])
            }
            guard let codec = fields["codec"].flatMap({ Int($0) }), let function = fields["function"],
                  let inputs = fields["inputs"], let items = fields["items"].flatMap({ Int($0) }),
                  let seed = fields["seed"], let call = fields["call"] else { return nil }
            self.init(codec: codec, function: function, inputs: inputs, items: items,
                      seed: seed == "none" ? nil : Int64(seed), call: call == "none" ? nil : Int64(call))
        }

        init(codec: Int, function: String, inputs: String, items: Int, seed: Int64?, call: Int64?) {
            (self.codec, self.function, self.inputs, self.items) = (codec, function, inputs, items)
            (self.seed, self.call) = (seed, call)
        }

        /// What differs from `other` (the file's), for the refusal.
        func differences(from file: Key) -> [String] {
            var what: [String] = []
            if codec != file.codec { what.append("another codec version (\(file.codec); this luapool writes \(codec))") }
            if function != file.function { what.append("another function") }
            if inputs != file.inputs || items != file.items {
                what.append(items != file.items ? "other inputs (\(file.items) items; this call has \(items))"
                            : "other inputs")
            }
            if seed != file.seed {
                let text = { (seed: Int64?) in seed.map { "seed \($0)" } ?? "no seed" }
                what.append("another seed (\(text(file.seed)); this call has \(text(seed)))")
            } else if call != file.call {
                let text = { (call: Int64?) in call.map { "call \($0 + 1) of its pool" } ?? "?" }
                what.append("another call (\(text(file.call)); this is \(text(call)))")
            }
            return what
        }
    }

    /// One chunk's results read back.
    struct Record {
        let first: Int64
        let size: Int
        let sliceFormat: Bool
        let failed: Set<Int64>
        let body: [UInt8]
    }

    /// What opening found.
    struct Opened {
        let checkpoint: Checkpoint
        let records: [Record]
        /// The file existed (with this call's key).
        let resumed: Bool
    }

    struct Failure: Error {
        let message: String
    }

    static let magic = "luapool checkpoint 1"

    /// The checkpoints of the calls that run now.
    nonisolated(unsafe) static var open: [Checkpoint] = []

    private init(path: String, fd: Int32) {
        (self.path, self.fd) = (path, fd)
        lastSync = Spin.now()
    }

    /// Opens (or creates) the file for a call keyed by `key`: the records
    /// of a file written for the same key, none for a new file; a file
    /// written for another key, or not a checkpoint, is refused.
    static func open(path: String, key: Key) throws(Failure) -> Opened {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(message: "cannot open checkpoint '\(path)': \(SystemError.describe(errno))") }
        var keep = false
        defer { if !keep { Glibc.close(fd) } }
        // One call at a time writes a file, in this process or any other.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            throw Failure(message: "checkpoint '\(path)' is in use by another call (in this script or another process)")
        }
        let contents = try readAll(fd, path: path)
        let checkpoint = Checkpoint(path: path, fd: fd)
        var records: [Record] = []
        let header = Array(key.headerText.utf8)
        let resumed: Bool
        if let end = headerEnd(contents) {
            let text = String(decoding: contents[..<end], as: UTF8.self)
            guard let found = Key(header: text) else { throw Failure(message: notACheckpoint(path)) }
            let differences = key.differences(from: found)
            guard differences.isEmpty else {
                throw Failure(message: "checkpoint '\(path)' was written for \(differences.joined(separator: " and ")): "
                              + "delete the file to start over, or give this call another file")
            }
            var offset = end
            records = readRecords(contents, from: &offset)
            if offset < contents.count {
                notice("checkpoint '\(path)': ignored an incomplete last record (\(contents.count - offset) bytes)")
                guard ftruncate(fd, off_t(offset)) == 0 else {
                    throw Failure(message: "cannot write checkpoint '\(path)': \(SystemError.describe(errno))")
                }
            }
            resumed = true
        } else {
            // Empty, or a header cut short by a crash as the file was made
            // (for this call, or a short one for another: the first line
            // whole or in part, then no empty line).
            let magicLine = Array((magic + "\n").utf8)
            let cut = contents.count <= magicLine.count
                ? contents.elementsEqual(magicLine.prefix(contents.count))
                : contents.starts(with: magicLine) && contents.count < 4096
            guard contents.isEmpty || cut else { throw Failure(message: notACheckpoint(path)) }
            guard ftruncate(fd, 0) == 0 else {
                throw Failure(message: "cannot write checkpoint '\(path)': \(SystemError.describe(errno))")
            }
            try checkpoint.write(header)
            try checkpoint.sync()
            resumed = false
        }
        guard lseek(fd, 0, SEEK_END) >= 0 else {
            throw Failure(message: "cannot write checkpoint '\(path)': \(SystemError.describe(errno))")
        }
        keep = true
        Checkpoint.open.append(checkpoint)
        Fork.hostDescriptors.insert(fd)
        return Opened(checkpoint: checkpoint, records: records, resumed: resumed)
    }

    private static func notACheckpoint(_ path: String) -> String {
        "checkpoint '\(path)' is not a luapool checkpoint file: give another path, or delete the file"
    }

    /// `luapool: text` on standard error.
    static func notice(_ text: String) {
        fflush(stdout)
        fputs("luapool: \(text)\n", stderr)
        fflush(stderr)
    }

    private static func readAll(_ fd: Int32, path: String) throws(Failure) -> [UInt8] {
        var contents: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw Failure(message: "cannot read checkpoint '\(path)': \(SystemError.describe(errno))") }
            if got == 0 { return contents }
            contents.append(contentsOf: block[..<got])
        }
    }

    /// The offset just past the header's empty line.
    private static func headerEnd(_ contents: [UInt8]) -> Int? {
        let limit = min(contents.count, 4096)
        var i = 1
        while i < limit {
            if contents[i] == 10, contents[i - 1] == 10 { return i + 1 }
            i += 1
        }
        return nil
    }

    /// The whole records from `offset`; `offset` ends after the last.
    private static func readRecords(_ contents: [UInt8], from offset: inout Int) -> [Record] {
        var records: [Record] = []
        contents.withUnsafeBytes { bytes in
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            while offset + 12 <= bytes.count {
                let length = Int(u32(offset))
                let start = offset + 12
                guard length >= 17, start + length <= bytes.count else { return }
                let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
                guard Checksum.fnv1a64(payload) == u64(offset + 4) else { return }
                let first = Int64(bitPattern: u64(start))
                let size = Int(u32(start + 8))
                let format = bytes[start + 12]
                let failedCount = Int(u32(start + 13))
                let bodyStart = start + 17 + failedCount * 8
                guard failedCount <= size, bodyStart <= start + length else { return }
                let failed = Set((0..<failedCount).map { Int64(bitPattern: u64(start + 17 + $0 * 8)) })
                records.append(Record(first: first, size: size, sliceFormat: format == 1, failed: failed,
                                      body: Array(bytes[bodyStart..<(start + length)])))
                offset = start + length
            }
        }
        return records
    }

    /// Appends a chunk's results as the worker sent them.
    func append(first: Int64, size: Int, sliceFormat: Bool, failed: [Int64], body: UnsafeRawBufferPointer) {
        guard fd >= 0 else { return }
        var payload: [UInt8] = []
        payload.reserveCapacity(17 + failed.count * 8 + body.count)
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { payload.append(contentsOf: $0) }
        }
        put(UInt64(bitPattern: first))
        put(UInt32(size))
        put(UInt8(sliceFormat ? 1 : 0))
        put(UInt32(failed.count))
        for index in failed { put(UInt64(bitPattern: index)) }
        payload.append(contentsOf: body)
        var record: [UInt8] = []
        record.reserveCapacity(12 + payload.count)
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { record.append(contentsOf: $0) }
        let sum = payload.withUnsafeBytes { Checksum.fnv1a64($0) }
        withUnsafeBytes(of: sum.littleEndian) { record.append(contentsOf: $0) }
        record.append(contentsOf: payload)
        do {
            try write(record)
            unsynced = true
            if Spin.now() - lastSync >= Checkpoint.syncInterval { try sync() }
        } catch {
            Checkpoint.notice("\(error.message); the call goes on without its checkpoint")
            close()
        }
    }

    /// At most this long between a record's write and its sync.
    static let syncInterval: Int64 = 1_000_000_000

    private func write(_ bytes: [UInt8]) throws(Failure) {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { throw Failure(message: "cannot write checkpoint '\(path)': \(SystemError.describe(errno))") }
            done += wrote
        }
    }

    private func sync() throws(Failure) {
        lastSync = Spin.now()
        unsynced = false
        guard fdatasync(fd) == 0 || errno == EINVAL else {
            throw Failure(message: "cannot sync checkpoint '\(path)': \(SystemError.describe(errno))")
        }
    }

    /// Syncs every checkpoint whose writes are due; returns the
    /// nanoseconds until the next is due, nil when none waits.
    static func syncDue(now: Int64) -> Int64? {
        var next: Int64?
        for checkpoint in open where checkpoint.unsynced {
            let left = checkpoint.lastSync + syncInterval - now
            if left <= 0 {
                try? checkpoint.sync()
            } else {
                next = min(next ?? left, left)
            }
        }
        return next
    }

    /// Syncs and closes the file (the call is over).
    func close() {
        guard fd >= 0 else { return }
        if unsynced { try? sync() }
        Fork.hostDescriptors.remove(fd)
        Glibc.close(fd)
        fd = -1
        Checkpoint.open.removeAll { $0 === self }
    }
}
