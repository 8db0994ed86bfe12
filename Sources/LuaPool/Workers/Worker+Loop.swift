import CLua
import CSystem
import Glibc

/// The loop a pool worker runs after the fork, modelled on the `worker()`
/// function of CPython's `multiprocessing/pool.py`: read a task, run each
/// item under a message handler that adds a traceback, answer with the
/// results or with the first error; leave at end of file (the host closed
/// the pool or is gone), or after `maxTasks` tasks.
final class WorkerLoop {
    let lua: LuaState
    let socket: FileDescriptor
    /// Where the worker says which chunk it started last and which item
    /// it runs, for the host to tell them apart if the worker dies.
    let progress: UnsafeMutablePointer<WorkerProgress>
    var tasksLeft: Int?

    let reader = FrameReader()
    var output: [UInt8] = []
    /// Why the function of the job in the registry could not be decoded
    /// (its tasks fail with it), or nil.
    var functionError: String?
    /// Reads what comes while a pull waits for its answer (Worker+Pull).
    let pullReader = FrameReader()
    /// Frames that came while a pull waited, to handle in order once the
    /// running chunk is done.
    var deferred: [[UInt8]] = []
    /// The time and memory limits of the current call's tasks.
    let limits: TaskLimits
    /// The chunk being run collects its items' failures (errors =
    /// "collect") instead of ending at the first.
    private var collecting = false

    init(lua: LuaState, socket: FileDescriptor, progress: UnsafeMutablePointer<WorkerProgress>, maxTasks: Int?) {
        self.lua = lua
        self.socket = socket
        self.progress = progress
        self.tasksLeft = maxTasks
        self.limits = TaskLimits(lua: lua, progress: progress)
        // Two registry slots read for every chunk, by number (a string key
        // costs a conversion and a hash each time): the message handler,
        // made once, and the function of the job being run.
        lua.pushMessageHandler()
        handlerRef = luaL_ref(lua.L, LuaState.registryIndex)
        lua.push(false)
        functionRef = luaL_ref(lua.L, LuaState.registryIndex)
        WorkerLoop.current = self
        installPullHook()
    }

    private var handlerRef: Int32 = LUA_NOREF
    private var functionRef: Int32 = LUA_NOREF

    /// Runs the pool's initializer, if it has one, and tells the host how it
    /// went: `ready`, or a failure for job 0 with the error and traceback.
    /// Returns false when it failed (the worker then leaves).
    func initialize(function: Int32?, arguments: Int32?) -> Bool {
        guard let function else { return true }
        let base = lua.top
        defer { lua.top = base }
        lua.pushMessageHandler()
        let handler = lua.top
        lua.rawGet(lua_Integer(function), of: LuaState.registryIndex)
        var count: Int32 = 0
        if let arguments {
            lua.rawGet(lua_Integer(arguments), of: LuaState.registryIndex)
            guard let n = pushTuple(at: lua.top) else {
                answerFailure(MessageHeader(kind: .task), item: 0, tooManyResults())
                return false
            }
            count = n
        }
        output.removeAll(keepingCapacity: true)
        do {
            try lua.call(arguments: count, results: 0, handler: handler)
        } catch {
            answerFailure(MessageHeader(kind: .task), item: 0, error)
            return false
        }
        Frame.appendHeader(length: 1, to: &output)
        MessageHeader(kind: .ready).append(to: &output)
        return send()
    }

    /// Runs until the host closes the socket; returns the exit status.
    ///
    /// An answer leaves before the next chunk starts, unless it may wait
    /// (see ``mayWait(before:)``): then a stream of tiny chunks costs one
    /// write per batch, not per chunk. Whatever waits is written once the
    /// chunks already received are done.
    func run() -> Int32 {
        while true {
            do {
                try handleDeferred()
                while tasksLeft != 0, deferred.isEmpty, try reader.next({ frame in try handle(frame) }) {}
                // A pull read ahead: what it kept aside comes first.
                if tasksLeft != 0, !deferred.isEmpty || pullReader.holdsBytes { continue }
            } catch is HostGone {
                return 0
            } catch {
                writeError("luapool worker: \(error)\n")
                return 70
            }
            if tasksLeft == 0 {
                Frame.appendHeader(length: 1, to: &output)
                MessageHeader(kind: .retiring).append(to: &output)
                _ = send()
                return 0
            }
            if !output.isEmpty { guard send() else { return 0 } }
            if largeSinceIdle && !workArrives(within: WorkerLoop.idleMilliseconds(holding: heldBytes)) {
                // Idle for a while after a large chunk: give back what it
                // made the worker hold. Not at once, as the next large
                // chunk would only fault the same pages in again.
                releaseMemory()
            }
            let count = reader.fill({ Spin.read(socket, into: $0) }).count
            if let size = reader.failedAllocation {
                writeError("luapool worker: not enough memory to receive a message (\(size) bytes)\n")
                return 70
            }
            guard let count, count > 0 else { return 0 }
        }
    }

    /// Items run per protected call in a large chunk (see clua_mapbatch).
    static let batchSize = 64
    /// How clua_mapbatch's frame ends a traceback.
    static let batchFrame = "\n\t[C]: in ?"

    /// A chunk or an answer of at least this many bytes makes the worker
    /// give memory back when it next goes idle.
    static let largeBytes = 1 << 18
    /// Such a chunk or answer was handled since the worker was last idle.
    private var largeSinceIdle = false

    /// How long a worker waits for more work after a large chunk before
    /// it gives memory back.
    /// A second, and 1 ms more per MiB held: a huge value takes the host
    /// longer to read, and the next call should find the memory there.
    /// Not less: between back-to-back maps of many small records a worker
    /// can wait 100 ms or more (the script's own code, the host's
    /// collector), and a full collection of a heap inherited from the
    /// script then costs 20 to 40 ms of CPU, taken from the host while it
    /// reads the map's last answers.
    static func idleMilliseconds(holding bytes: Int) -> Int32 {
        Int32(1000 + min(bytes >> 20, 10_000))
    }

    /// The large buffers the worker holds for the next call.
    private var heldBytes: Int {
        reader.bufferSize + pullReader.bufferSize + output.capacity + ByteWriter.spareSize + LuaAllocator.keptSize
    }

    /// Whether the host sends something (or closes the socket) within
    /// `milliseconds`.
    private func workArrives(within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: socket.raw, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, milliseconds)
            if ready >= 0 { return ready > 0 }
            if errno != EINTR { return true }
        }
    }

    /// Collects Lua's garbage, frees the answer buffer if it grew large
    /// and returns the C heap's free memory to the system (`malloc_trim`),
    /// so that an idle worker stays small after a large map.
    private func releaseMemory() {
        largeSinceIdle = false
        if output.capacity >= WorkerLoop.largeBytes { output = [] }
        reader.shrink()
        pullReader.shrink()
        ByteWriter.releaseSpare()
        PointerMap.Spare.release()
        clua_collect(lua.L)
        // after the collection, which hands large blocks to the allocator
        LuaAllocator.release()
        malloc_trim(0)
    }

    /// How long a finished answer may wait for the next ones.
    static let batchNanoseconds: Int64 = 1_000_000
    /// Answers made by a chunk that ran this long or longer never wait.
    static let quickChunkNanoseconds: Int64 = 50_000
    /// Answers waiting in `output` beyond this many bytes are written.
    static let batchBytes = 1 << 16
    /// When the oldest answer in `output` was made.
    private var pendingSince: Int64 = 0
    /// The job whose answers wait in `output`, while every one of them may
    /// wait; nil when something there must go before the next chunk.
    private var waitingJob: UInt32?

    /// Whether the answers in `output` may wait while the chunk `next`
    /// runs: they are the answers of quick chunks of the same job, which
    /// allows it (a whole call), made under a millisecond ago. Anything
    /// else is written first, so a worker that dies in `next` takes no
    /// finished answer with it that its caller would not lose anyway.
    private func mayWait(before next: MessageHeader) -> Bool {
        waitingJob == next.job && next.flags & MessageHeader.mayWaitFlag != 0
            && output.count < WorkerLoop.batchBytes
            && Spin.now() - pendingSince < WorkerLoop.batchNanoseconds
    }

    /// Notes that an answer of the chunk `task`, which ran `elapsed`
    /// nanoseconds, was appended to `output`.
    private func answered(_ task: MessageHeader, elapsed: Int64, wasEmpty: Bool) {
        let quick = task.flags & MessageHeader.mayWaitFlag != 0 && elapsed < WorkerLoop.quickChunkNanoseconds
        if wasEmpty {
            pendingSince = Spin.now()
            waitingJob = quick ? task.job : nil
        } else if !quick || waitingJob != task.job {
            waitingJob = nil
        }
    }

    /// A chunk or an answer of at least this many bytes is followed by a
    /// full collection: the worker's heap is small, and the value's memory
    /// then goes back to the allocator at once, for the next one (see
    /// LuaAllocator), instead of after the next value was made.
    static let hugeBytes = 1 << 25

    func handle(_ frame: UnsafeRawBufferPointer) throws {
        if frame.count >= WorkerLoop.largeBytes { largeSinceIdle = true }
        defer {
            if frame.count >= WorkerLoop.hugeBytes || output.count >= WorkerLoop.hugeBytes {
                clua_collect(lua.L)
            }
        }
        guard let header = MessageHeader(frame) else { throw WorkerProtocolError() }
        let body = UnsafeRawBufferPointer(rebasing: frame[header.byteCount...])
        switch header.kind {
        case .function:
            receiveFunction(body)
            limits.configure(timeoutNanos: header.index, memoryCap: Int(header.seed))
            forgetNils()
        case .forget:
            try forget(body)
        case .task:
            if !output.isEmpty && !mayWait(before: header) {
                guard send() else { throw HostGone() }
            }
            progress.pointee.chunk = WorkerProgress.key(job: header.job, chunk: header.chunk)
            progress.pointee.item = header.index
            try runTask(header, body)
            progress.pointee.item = 0
            if let left = tasksLeft { tasksLeft = left - 1 }
        default:
            throw WorkerProtocolError()
        }
    }

    /// Keeps a job's function in the registry; one that cannot be decoded
    /// here fails the job's tasks with the reason.
    private func receiveFunction(_ body: UnsafeRawBufferPointer) {
        let base = lua.top
        defer { lua.top = base }
        functionError = nil
        do {
            if try Wire.decode(lua, body) != 1 {
                functionError = "bad data: the function's message holds more than one value"
            }
        } catch {
            functionError = "cannot receive the function: \(error.message)"
        }
        if functionError != nil { lua.top = base }
        if lua.top == base { lua.pushNil() }
        lua_rawseti(lua.L, LuaState.registryIndex, lua_Integer(functionRef))
    }

    /// A chunk being run, and where its pieces are on the stack.
    private struct Task {
        let header: MessageHeader
        let handler: Int32
        let function: Int32
        let start: Int64
    }

    /// Runs every item of a chunk and answers once.
    private func runTask(_ header: MessageHeader, _ body: UnsafeRawBufferPointer) throws {
        let base = lua.top
        defer { lua.top = base }
        if let functionError {
            answerFailure(header, item: header.index, message: functionError)
            return
        }
        lua_rawgeti(lua.L, LuaState.registryIndex, lua_Integer(handlerRef))
        let handler = lua.top
        lua_rawgeti(lua.L, LuaState.registryIndex, lua_Integer(functionRef))
        let task = Task(header: header, handler: handler, function: lua.top, start: Spin.now())
        collecting = header.flags & MessageHeader.collectFlag != 0
        // The items: a list of values, or one table with its `n` (its items
        // may have holes) for a large chunk; see Wire.valueListLimit.
        do {
            if header.flags & MessageHeader.tableFlag != 0 {
                try runStreamed(task, body)
            } else {
                try runListed(task, body)
            }
        } catch let error as CodecError {
            // Items this interpreter cannot decode fail the item being
            // read, not the worker.
            let item = header.flags & MessageHeader.tableFlag == 0
                ? header.index + Int64(error.valueIndex ?? 0) : max(progress.pointee.item, header.index)
            answerFailure(header, item: item, message: "cannot receive the item: \(error.message)")
        }
    }

    /// A small chunk: its items are values on the stack, and so are its
    /// results, in a table until they are sent.
    private func runListed(_ task: Task, _ body: UnsafeRawBufferPointer) throws {
        let first = lua.top + 1
        let count = Int(try Wire.decodeNumbers(lua, body) ?? Wire.decode(lua, body))
        guard count <= Wire.valueListLimit, lua.ensureStack(Int32(count) + 4) else { throw WorkerProtocolError() }
        // Each result stays on the stack, above the items: the answer is
        // the top `count` values.
        let results = lua.top + 1
        for i in 0..<count {
            lua.pushValue(at: task.function)
            lua.pushValue(at: first + Int32(i))
            guard callItem(task, index: task.header.index + Int64(i)) else { return }
        }
        answerResults(task.header, resultsAt: results, count: count, elapsed: Spin.now() - task.start)
    }

    /// A large chunk: each item is read from the task's bytes just before
    /// it runs, and its result written to the answer as soon as it is back,
    /// with no table of items or results in between.
    private func runStreamed(_ task: Task, _ body: UnsafeRawBufferPointer) throws {
        let items = try Wire.listReader(lua, body)
        guard items.count > Wire.valueListLimit else { throw WorkerProtocolError() }
        let results = try Wire.listWriter(lua, count: items.count)
        // The C API straight: this loop runs once per item.
        let L = lua.L
        let top = lua_gettop(L)
        let plain = task.header.flags & (MessageHeader.tuplesFlag | MessageHeader.seededFlag) == 0
            && !collecting && !limits.isActive
        var i = 0
        // Items without a seed to set or a tuple to unpack run a batch per
        // protected call (clua_mapbatch); the others one by one. Runs of
        // numbers whose results are numbers go faster still, in one C loop
        // (clua_mapnumbers); after a run that stopped at another result,
        // one batch first.
        while plain && i < items.count && lua_checkstack(L, Int32(WorkerLoop.batchSize) + 8) != 0 {
            guard let run = runNumbers(task, items, results, first: i, top: top) else { return }
            i += run.ran
            guard i < items.count else { break }
            if run.ran > 0 && !run.stoppedAtResult { continue }
            let n = min(WorkerLoop.batchSize, items.count - i)
            clua_pushcfunction(L, clua_mapbatch)
            lua_pushlightuserdata(L, WorkerProgress.itemPointer(progress))
            lua_pushinteger(L, task.header.index + Int64(i))
            lua_pushvalue(L, task.function)
            progress.pointee.item = task.header.index + Int64(i)
            var k = 0
            while k < n {
                // Numbers in one C loop; another value its own way.
                k += items.nextNumbers(n - k)
                guard k < n else { break }
                progress.pointee.item = task.header.index + Int64(i + k)
                try items.next()
                k += 1
            }
            let status = lua_pcallk(L, 3 + Int32(n), Int32(n), task.handler, 0, nil)
            guard status == LUA_OK else {
                answerFailure(task.header, item: progress.pointee.item, lua.popError(status: status), batched: true)
                return
            }
            results.append(from: top + 1, count: n)
            lua_settop(L, top)
            i += n
        }
        for i in i..<items.count {
            let index = task.header.index + Int64(i)
            lua_pushvalue(L, task.function)
            progress.pointee.item = index
            try items.next()
            guard callItem(task, index: index) else { return }
            results.append()
            lua_settop(L, top)
        }
        try items.finish()
        let elapsed = Spin.now() - task.start
        let header = MessageHeader(kind: .results, job: task.header.job, chunk: task.header.chunk, index: elapsed)
        let wasEmpty = output.isEmpty
        do {
            try frame(header) { (buffer: inout [UInt8]) throws(CodecError) in
                try Wire.finish(results, into: &buffer)
            }
            answered(task.header, elapsed: elapsed, wasEmpty: wasEmpty)
        } catch {
            // A result that cannot be sent fails the task, not the worker,
            // named as in a small chunk: by the error of sending it alone.
            let item = results.failedItem ?? 1
            results.pushWaiting(item)
            let message = unsendableMessage() ?? error.message
            lua.pop()
            answerUnsendable(task.header, item: task.header.index + Int64(item - 1), message)
        }
    }

    /// The most items a run of numbers (``runNumbers``) takes.
    static let numberRun = 1 << 14

    /// Runs the chunk's items from `first` (from 0) while they are numbers
    /// and their results are numbers, in one C loop (clua_mapnumbers); the
    /// result that ended a run, if not a number, is taken its general way.
    /// Returns how many items ran (0 when the next item is not a number or
    /// the answer takes items one by one now) and whether the run stopped
    /// at a result; nil when an item raised (answered then). `top`: the
    /// stack's top, restored.
    private func runNumbers(_ task: Task, _ items: Codec.ListReader, _ results: Codec.ListWriter,
                            first: Int, top: Int32) -> (ran: Int, stoppedAtResult: Bool)? {
        let L = lua.L
        let n = min(items.count - first, WorkerLoop.numberRun)
        var (ran, pending, status) = (0, false, LUA_OK)
        let lent = results.writeNumbers(upTo: n) { out, room in
            var written = (items: 0, bytes: 0)
            items.readNumbers { input, length in
                var run = clua_NumberRun(
                    progress: WorkerProgress.itemPointer(progress).assumingMemoryBound(to: Int64.self), index: task.header.index + Int64(first),
                    in: input, inLength: length, inUsed: 0, out: out, outRoom: room, outUsed: 0,
                    n: Int32(n), done: 0, pending: 0)
                withUnsafeMutablePointer(to: &run) { pointer in
                    clua_pushcfunction(L, clua_mapnumbers)
                    lua_pushlightuserdata(L, pointer)
                    lua_pushvalue(L, task.function)
                    status = lua_pcallk(L, 2, 1, task.handler, 0, nil)
                }
                guard status == LUA_OK else { return (0, 0) }
                (ran, pending) = (Int(run.done), run.pending != 0)
                written = (ran - (pending ? 1 : 0), run.outUsed)
                return (ran, run.inUsed)
            }
            return written
        }
        guard lent else { return (0, false) }
        guard status == LUA_OK else {
            answerFailure(task.header, item: progress.pointee.item, lua.popError(status: status), batched: true)
            return nil
        }
        // On top: the result that ended the run, or the call's nil.
        if pending { results.append() }
        lua_settop(L, top)
        return (ran, pending)
    }

    /// Calls the function just below the item on top of the stack, leaving
    /// its first result there. False when it raised: the failure is
    /// answered then.
    private func callItem(_ task: Task, index: Int64) -> Bool {
        progress.pointee.item = index
        if task.header.flags & MessageHeader.seededFlag != 0 {
            Random.seed(lua, task.header.seed, task.header.stream &+ index)
        }
        var arguments: Int32 = 1
        if task.header.flags & MessageHeader.tuplesFlag != 0 {
            guard let count = pushTuple(at: lua.top) else {
                return failed(task, item: index, tooManyResults(), kind: .error)
            }
            arguments = count
        }
        limits.begin()
        let status = lua_pcallk(lua.L, arguments, 1, task.handler, 0, nil)
        let kind = limits.end(status: status)
        if status == LUA_OK { return true }
        return failed(task, item: index, lua.popError(status: status), kind: kind)
    }

    /// An item failed: ends the chunk (false), or, when the chunk collects
    /// its failures, reports it and leaves nil as its result (true).
    private func failed(_ task: Task, item: Int64, _ error: LuaError, kind: FailureKind) -> Bool {
        guard collecting else {
            answerFailure(task.header, item: item, error, kind: kind)
            return false
        }
        lua.ensureStack(4)
        push(error, batched: false)
        lua.push(kind.rawValue)
        encodeFailure(MessageHeader(kind: .itemFailure, job: task.header.job, chunk: task.header.chunk), item: item)
        lua.pop(3)
        lua.pushNil()
        return true
    }

    /// Replaces the table on top of the stack with its values `1...n`
    /// (`n` from its field `n`, else its length); returns how many. Nil,
    /// leaving the table, when Lua's stack cannot take them, as
    /// `table.unpack` fails (see ``tooManyResults()``).
    private func pushTuple(at tuple: Int32) -> Int32? {
        var count = lua.rawLength(at: tuple)
        if lua.getField("n", of: tuple) == .number, let n = lua.toInteger(at: -1) {
            count = Int(max(0, n))
        }
        lua.pop()
        guard count < Int(Int32.max), lua.ensureStack(Int32(count) + 1) else { return nil }
        for k in 1...max(count, 1) where count > 0 {
            lua.rawGet(lua_Integer(k), of: tuple)
        }
        lua.remove(at: tuple)
        return Int32(count)
    }

    /// The error of `table.unpack` for more values than Lua's stack takes.
    private func tooManyResults() -> LuaError {
        lua.push("too many results to unpack")
        return lua.popError(status: LUA_ERRRUN)
    }

    /// Frames a small chunk's results as a list of values.
    private func answerResults(_ task: MessageHeader, resultsAt results: Int32, count: Int, elapsed: Int64) {
        let header = MessageHeader(kind: .results, job: task.job, chunk: task.chunk, index: elapsed)
        let base = lua.top
        let wasEmpty = output.isEmpty
        do {
            try frame(header) { (buffer: inout [UInt8]) throws(CodecError) in
                // Numbers (a map of numbers with chunksize 1) without an
                // encoder.
                if try Wire.encodeNumbers(lua, count: count, into: &buffer) { return }
                try Wire.encode(lua, count: Int32(count), into: &buffer)
            }
            answered(task, elapsed: elapsed, wasEmpty: wasEmpty)
            lua.top = base
        } catch {
            lua.top = base
            // A result that cannot be sent fails the task, not the worker:
            // the first one that cannot be sent alone is named.
            for i in 0..<count {
                lua.pushValue(at: results + Int32(i))
                defer { lua.pop() }
                if let message = unsendableMessage() {
                    answerUnsendable(task, item: task.index + Int64(i), message)
                    return
                }
            }
            answerUnsendable(task, item: task.index, error.message)
        }
    }

    /// Answers that the result of item `item` cannot be sent, and why.
    private func answerUnsendable(_ task: MessageHeader, item: Int64, _ message: String) {
        answerFailure(task, item: item, message: "\(message) (in the result of item \(item))")
    }

    /// Why the value on top of the stack cannot be sent alone; nil when it
    /// can.
    private func unsendableMessage() -> String? {
        var scratch: [UInt8] = []
        do {
            try Wire.encode(lua, count: 1, into: &scratch)
            return nil
        } catch {
            return error.message
        }
    }

    /// Frames a failure and sends it with what waits before it: an error
    /// ends the call, so it goes at once.
    ///
    /// `batched`: the call ran inside clua_mapbatch, whose frame ends the
    /// traceback; that line is dropped, so the traceback reads as for a
    /// call on its own.
    private func answerFailure(_ task: MessageHeader, item: Int64, _ error: LuaError, batched: Bool = false,
                               kind: FailureKind = .error) {
        lua.ensureStack(4)
        push(error, batched: batched)
        lua.push(kind.rawValue)
        encodeFailure(task, item: item)
        lua.pop(3)
        _ = send()
    }

    /// Pushes an error's value and traceback (nil when it has none).
    private func push(_ error: LuaError, batched: Bool) {
        lua.push(error.value)
        if var traceback = error.traceback {
            if batched, traceback.hasSuffix(WorkerLoop.batchFrame) { traceback.removeLast(WorkerLoop.batchFrame.count) }
            lua.push(traceback)
        } else {
            lua.pushNil()
        }
    }

    /// Answers that item `item` failed with `message`, which has no
    /// traceback (the item never ran).
    private func answerFailure(_ task: MessageHeader, item: Int64, message: String) {
        lua.ensureStack(4)
        lua.push(message)
        lua.pushNil()
        lua.push(FailureKind.error.rawValue)
        encodeFailure(task, item: item)
        lua.pop(3)
        _ = send()
    }

    /// Frames the error value, traceback and kind on top of the stack, as
    /// a `failure`, or an `itemFailure` when `task` is one; an error value
    /// that cannot be sent goes as its text.
    private func encodeFailure(_ task: MessageHeader, item: Int64) {
        let kind: MessageKind = task.kind == .itemFailure ? .itemFailure : .failure
        let header = MessageHeader(kind: kind, job: task.job, chunk: task.chunk, index: item)
        do {
            try frame(header) { (buffer: inout [UInt8]) throws(CodecError) in
                try Wire.encode(lua, count: 3, into: &buffer)
            }
        } catch {
            let text = lua.toString(at: -3) ?? "(error object is a \(lua.typeNameForError(at: -3)) value)"
            lua.push(text)
            lua.pushValue(at: -3)
            lua.pushValue(at: -3)
            do {
                try frame(header) { (buffer: inout [UInt8]) throws(CodecError) in
                    try Wire.encode(lua, count: 3, into: &buffer)
                }
            } catch {
                // Too large even as text: the host hears why instead.
                lua.push(error.code != .tooLarge ? error.message
                         : "error message of \(text.utf8.count) bytes is too large to send (the limit is \(Wire.maxMessageLength) bytes)")
                lua.pushNil()
                lua.pushValue(at: -3)
                try? frame(header) { (buffer: inout [UInt8]) throws(CodecError) in
                    try Wire.encode(lua, count: 3, into: &buffer)
                }
                lua.pop(3)
            }
            lua.pop(3)
        }
    }

    /// Appends a frame: `header`, then what `body` appends; nothing when
    /// `body` fails or the frame would be over ``Frame/maxLength``.
    private func frame(_ header: MessageHeader, _ body: (inout [UInt8]) throws(CodecError) -> Void) throws(CodecError) {
        let start = output.count
        output.append(contentsOf: [0, 0, 0, 0])
        header.append(to: &output)
        do throws(CodecError) {
            try body(&output)
            let length = output.count - start - Frame.headerLength
            guard length <= Frame.maxLength else { throw CodecError.tooLargeToSend(length, limit: Frame.maxLength) }
        } catch {
            output.removeSubrange(start...)
            throw error
        }
        Frame.patchLength(of: &output, at: start)
    }

    /// Sends `output` and empties it; false when the host is gone. What
    /// the tasks printed goes first, so it comes before their answers.
    func send() -> Bool {
        if output.count >= WorkerLoop.largeBytes { largeSinceIdle = true }
        fflush(stdout)
        waitingJob = nil
        defer { output.removeAll(keepingCapacity: true) }
        do {
            try output.withUnsafeBytes { try socket.sendAll($0) }
            return true
        } catch {
            return false
        }
    }
}

struct WorkerProtocolError: Error, CustomStringConvertible {
    var description: String { "bad frame from the host" }
}

/// The host closed its end while the worker was writing.
struct HostGone: Error {}

private func writeError(_ text: String) {
    fputs(text, stderr)
}
