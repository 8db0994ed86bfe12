import Glibc

/// Open MPI's `libmpi`, loaded at run time (`dlopen` with `RTLD_NOW |
/// RTLD_GLOBAL`, as its plugins need): luapool has no link-time dependency
/// on MPI, and a run without MPI never loads it. Only the relays (see
/// MPILaunch) call it; no process that runs Lua ever does.
///
/// The calls used are few: init, rank and size, non-blocking sends tested
/// for completion, probes and receives of whole messages of bytes. The
/// handles are Open MPI's: `MPI_Comm` and `MPI_Datatype` are pointers to
/// its predefined objects (`ompi_mpi_comm_world`, `ompi_mpi_byte`), and a
/// status starts with `MPI_SOURCE`, `MPI_TAG` and `MPI_ERROR` as ints.
final class MPILibrary {
    typealias InitFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
    typealias CommIntFunction = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> Int32
    typealias IsendFunction = @convention(c) (UnsafeRawPointer?, Int32, OpaquePointer?, Int32, Int32, OpaquePointer?,
                                              UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias TestFunction = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<Int32>,
                                             UnsafeMutableRawPointer?) -> Int32
    typealias IprobeFunction = @convention(c) (Int32, Int32, OpaquePointer?, UnsafeMutablePointer<Int32>,
                                               UnsafeMutableRawPointer?) -> Int32
    typealias GetCountFunction = @convention(c) (UnsafeRawPointer?, OpaquePointer?, UnsafeMutablePointer<Int32>) -> Int32
    typealias RecvFunction = @convention(c) (UnsafeMutableRawPointer?, Int32, OpaquePointer?, Int32, Int32, OpaquePointer?,
                                             UnsafeMutableRawPointer?) -> Int32
    typealias FinalizeFunction = @convention(c) () -> Int32
    typealias AbortFunction = @convention(c) (OpaquePointer?, Int32) -> Int32

    private let initialize: InitFunction
    private let commRank: CommIntFunction
    private let commSize: CommIntFunction
    private let isend: IsendFunction
    private let test: TestFunction
    private let iprobe: IprobeFunction
    private let getCount: GetCountFunction
    private let recv: RecvFunction
    private let finalize: FinalizeFunction
    private let abortJob: AbortFunction
    private let world: OpaquePointer
    private let byte: OpaquePointer

    /// `MPI_ANY_SOURCE`, `MPI_ANY_TAG`.
    static let anySource: Int32 = -1
    static let anyTag: Int32 = -1
    /// Bytes kept for a status (Open MPI's is 24).
    static let statusBytes = 64

    struct LoadError: Error {
        let message: String
    }

    /// Loads `libmpi`; the error says why it cannot be.
    static func load() throws(LoadError) -> MPILibrary {
        var handle: UnsafeMutableRawPointer?
        var reasons: [String] = []
        // LUAPOOL_MPI_LIBRARY (a testing aid) names another library.
        let names = getenv("LUAPOOL_MPI_LIBRARY").map { [String(cString: $0)] } ?? ["libmpi.so.40", "libmpi.so"]
        for name in names {
            handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
            if handle != nil { break }
            reasons.append(dlerror().map { String(cString: $0) } ?? name)
        }
        guard let handle else {
            throw LoadError(message: "cannot load Open MPI's libmpi (install openmpi-bin): \(reasons.last ?? "")")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(LoadError) -> T {
            guard let pointer = dlsym(handle, name) else {
                throw LoadError(message: "libmpi has no symbol \(name): is it Open MPI?")
            }
            return unsafeBitCast(pointer, to: type)
        }
        func object(_ name: String) throws(LoadError) -> OpaquePointer {
            guard let pointer = dlsym(handle, name) else {
                throw LoadError(message: "libmpi has no symbol \(name): is it Open MPI?")
            }
            return OpaquePointer(pointer)
        }
        return MPILibrary(
            initialize: try symbol("MPI_Init", as: InitFunction.self),
            commRank: try symbol("MPI_Comm_rank", as: CommIntFunction.self),
            commSize: try symbol("MPI_Comm_size", as: CommIntFunction.self),
            isend: try symbol("MPI_Isend", as: IsendFunction.self),
            test: try symbol("MPI_Test", as: TestFunction.self),
            iprobe: try symbol("MPI_Iprobe", as: IprobeFunction.self),
            getCount: try symbol("MPI_Get_count", as: GetCountFunction.self),
            recv: try symbol("MPI_Recv", as: RecvFunction.self),
            finalize: try symbol("MPI_Finalize", as: FinalizeFunction.self),
            abortJob: try symbol("MPI_Abort", as: AbortFunction.self),
            world: try object("ompi_mpi_comm_world"),
            byte: try object("ompi_mpi_byte"))
    }

    private init(initialize: InitFunction, commRank: CommIntFunction, commSize: CommIntFunction,
                 isend: IsendFunction, test: TestFunction, iprobe: IprobeFunction, getCount: GetCountFunction,
                 recv: RecvFunction, finalize: FinalizeFunction, abortJob: AbortFunction,
                 world: OpaquePointer, byte: OpaquePointer) {
        (self.initialize, self.commRank, self.commSize) = (initialize, commRank, commSize)
        (self.isend, self.test, self.iprobe, self.getCount, self.recv) = (isend, test, iprobe, getCount, recv)
        (self.finalize, self.abortJob, self.world, self.byte) = (finalize, abortJob, world, byte)
    }

    /// `MPI_Init`; then this process's rank and the job's size.
    func start() -> (rank: Int, size: Int)? {
        guard initialize(nil, nil) == 0 else { return nil }
        var rank: Int32 = 0, size: Int32 = 0
        guard commRank(world, &rank) == 0, commSize(world, &size) == 0 else { return nil }
        return (Int(rank), Int(size))
    }

    func stop() { _ = finalize() }

    func abort(_ code: Int32) { _ = abortJob(world, code) }

    /// A send in progress: its bytes, in memory of their own that stays
    /// put until the send completes.
    final class Send {
        let buffer: UnsafeMutableRawBufferPointer
        var request: OpaquePointer?
        init(bytes: [UInt8]) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            (self.buffer, self.count) = (buffer, bytes.count)
        }
        let count: Int
        deinit { buffer.deallocate() }
    }

    /// Starts sending `bytes` (at most 2 GiB: callers send in pieces) to
    /// `rank` with `tag`.
    func send(_ bytes: [UInt8], to rank: Int, tag: Int32) -> Send? {
        let send = Send(bytes: bytes)
        let status = isend(send.buffer.baseAddress, Int32(send.count), byte, Int32(rank), tag, world, &send.request)
        return status == 0 ? send : nil
    }

    /// Whether `send` completed (its buffer may go).
    func isDone(_ send: Send) -> Bool {
        guard send.request != nil else { return true }
        var flag: Int32 = 0
        _ = test(&send.request, &flag, nil)
        return flag != 0
    }

    /// A status, kept for every probe and receive.
    private let status = UnsafeMutableRawPointer.allocate(byteCount: MPILibrary.statusBytes, alignment: 16)

    /// The next message waiting, if any: its source, tag and bytes.
    func receive() -> (source: Int, tag: Int32, bytes: [UInt8])? {
        var flag: Int32 = 0
        guard iprobe(MPILibrary.anySource, MPILibrary.anyTag, world, &flag, status) == 0, flag != 0 else { return nil }
        var count: Int32 = 0
        _ = getCount(status, byte, &count)
        let source = status.load(fromByteOffset: 0, as: Int32.self)
        let tag = status.load(fromByteOffset: 4, as: Int32.self)
        var bytes = [UInt8](repeating: 0, count: Int(max(0, count)))
        let received = bytes.withUnsafeMutableBytes { raw in
            recv(raw.baseAddress, count, byte, source, tag, world, status)
        }
        guard received == 0 else { return nil }
        return (Int(source), tag, bytes)
    }
}
