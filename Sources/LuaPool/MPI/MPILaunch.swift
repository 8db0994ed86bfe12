import CSystem
import Glibc

/// How luapool starts under MPI (DESIGN.md section 8). `mpirun -n N
/// luapool script.lua` starts N luapools; each finds out it was started
/// by MPI (Open MPI's, PMI's or Slurm's variables, or `--mpi`) and, before
/// anything else and before `MPI_Init`, forks: the parent becomes the
/// rank's relay (it loads `libmpi` and is the only process of the rank to
/// use MPI); the child waits to hear what it is. On rank 0 it is the
/// script host, which runs the script as always; on every other rank it
/// is the fork server that makes the rank's workers. A job of one rank is
/// an ordinary run.
public enum MPILaunch {
    /// What this process is after ``start(forced:workersPerRank:)``.
    public enum Role {
        /// No MPI: run as always.
        case local
        /// The script host of a job of several ranks.
        case host
    }

    /// The variables MPI launchers set, read here and removed from the
    /// host's and fork server's environment (a luapool a task starts is an
    /// ordinary run).
    private static let sizeVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"]
    private static let launchVariables = [
        "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_LOCAL_RANK",
        "OMPI_COMM_WORLD_LOCAL_SIZE", "OMPI_COMM_WORLD_NODE_RANK", "PMI_SIZE", "PMI_RANK", "PMIX_RANK",
        "PMIX_SIZE", "PMI_FD", "PMI_PORT", "SLURM_STEP_ID", "SLURM_STEPID",
    ]

    /// The job's size, from the launcher's variables (nil: not launched
    /// by MPI as far as they say).
    static func launchedSize() -> Int? {
        for name in sizeVariables {
            if let raw = getenv(name), let n = Int(String(cString: raw)) { return n }
        }
        if getenv("SLURM_STEP_ID") != nil || getenv("SLURM_STEPID") != nil,
           let raw = getenv("SLURM_NTASKS"), let n = Int(String(cString: raw)) {
            return n
        }
        return nil
    }

    /// Splits this process when MPI launched it with more than one rank
    /// (or `forced`, `--mpi`). Returns in the process that runs the
    /// script (`.host` under MPI, `.local` without); the relay and the
    /// fork server never return. `workersPerRank`: `-j`, else the CPUs a
    /// rank may use.
    public static func start(forced: Bool, workersPerRank: Int?) -> Role {
        guard forced || (launchedSize() ?? 1) > 1 else { return .local }
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            fail("socketpair: \(SystemError.describe(errno))")
        }
        // The progress records of a worker rank's workers, shared by its
        // relay and its fork server (made before the fork).
        let recordCount = 4096
        let bytes = recordCount * MemoryLayout<WorkerProgress>.stride
        guard let page = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              page != MAP_FAILED else { fail("mmap: \(SystemError.describe(errno))") }
        let records = page.bindMemory(to: WorkerProgress.self, capacity: recordCount)
        fflush(nil)
        let pid = fork()
        if pid < 0 { fail("fork: \(SystemError.describe(errno))") }
        if pid == 0 {
            close(fds[0])
            _ = csystem_set_parent_death_signal(SIGKILL)
            let rank = getenv("OMPI_COMM_WORLD_RANK").map { String(cString: $0) }
            for name in launchVariables { unsetenv(name) }
            let channel = MessageChannel(fd: fds[1])
            // LUAPOOL_MPI_SLOW_START (a testing aid): milliseconds a fork
            // server (on every rank but 0) waits before its first read, as
            // on a loaded machine, so that its relay's first requests
            // queue up behind its role.
            if let delay = getenv("LUAPOOL_MPI_SLOW_START").flatMap({ Int(String(cString: $0)) }), delay > 0, delay <= 10_000,
               let rank, rank != "0" {
                usleep(useconds_t(delay * 1000))
            }
            guard let (first, _) = channel.waitNext() else { _exit(1) }
            var reader = MessageReader(first)
            switch reader.kind.flatMap(HostMessage.init(rawValue:)) {
            case .alone:
                close(fds[1])
                munmap(page, bytes)
                return .local
            case .world:
                // mpirun stops a job by signalling each rank's process
                // group: the host is in a group of its own, and hears it
                // from its relay as Ctrl-C (it dies with the relay all
                // the same).
                _ = setpgid(0, 0)
                MPIHost.setUp(channel: channel, world: &reader)
                munmap(page, bytes)
                return .host
            case .forkServer:
                ForkServer(channel: channel, records: records).run()
            case .failed:
                fail(reader.getString() ?? "MPI failed")
            default:
                _exit(1)
            }
        }
        close(fds[1])
        // Ctrl-C belongs to the script host; the relay hears of the job's
        // end from mpirun's SIGTERM, handled once it relays.
        signal(SIGINT, SIG_IGN)
        let child = MessageChannel(fd: fds[0])
        let mpi: MPILibrary
        do {
            mpi = try MPILibrary.load()
        } catch {
            tell(child, .failed, error.message)
            endWithChild(pid)
        }
        guard let (rank, size) = mpi.start() else {
            tell(child, .failed, "MPI_Init failed")
            endWithChild(pid)
        }
        if size <= 1 {
            tell(child, .alone)
            let status = endWithChildStatus(pid)
            mpi.stop()
            exitLike(status)
        }
        if rank == 0 {
            RankZeroRelay(mpi: mpi, size: size, host: child, hostPid: pid).run()
        }
        tell(child, .forkServer)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let fromEnvironment = getenv("LUAPOOL_WORKERS").flatMap { Int(String(String(cString: $0).trimmingBlanks())) }
        let workers = workersPerRank ?? fromEnvironment.flatMap { $0 >= 1 && $0 <= PoolSize.limit ? $0 : nil }
            ?? defaultWorkers()
        WorkerRankRelay(mpi: mpi, rank: rank, server: child, serverPid: pid, records: records,
                        recordCount: recordCount, workers: workers).run()
    }

    private static func tell(_ channel: MessageChannel, _ kind: HostMessage, _ text: String? = nil) {
        var writer = MessageWriter(kind.rawValue)
        if let text { writer.put(text) }
        _ = channel.send(writer.bytes)
    }

    private static func endWithChildStatus(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    private static func endWithChild(_ pid: pid_t) -> Never {
        exitLike(endWithChildStatus(pid))
    }

    private static func exitLike(_ status: Int32) -> Never {
        switch WorkerExit(status: status) {
        case .exited(let code): _exit(code)
        case .signaled(let signal): _exit(128 + signal)
        }
    }

    private static func fail(_ message: String) -> Never {
        fputs("luapool: MPI: \(message)\n", stderr)
        _exit(1)
    }

    /// A worker rank's workers when `-j` does not say: the CPUs it may
    /// use, shared with the other worker ranks of its node when its
    /// affinity covers the whole node (rank 0's node has one worker rank
    /// fewer: rank 0 runs the script host).
    static func defaultWorkers() -> Int {
        let cpus = PoolSize.cpuCount()
        let online = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        guard cpus >= online else { return max(1, cpus) }
        let number: (String) -> Int? = { name in getenv(name).flatMap { Int(String(cString: $0)) } }
        guard let localSize = number("OMPI_COMM_WORLD_LOCAL_SIZE") ?? number("MPI_LOCALNRANKS")
                ?? number("SLURM_NTASKS_PER_NODE"),
              localSize > 1 else { return max(1, cpus) }
        var sharing = localSize
        let rank = number("OMPI_COMM_WORLD_RANK") ?? number("PMI_RANK") ?? number("SLURM_PROCID")
        let localRank = number("OMPI_COMM_WORLD_LOCAL_RANK") ?? number("MPI_LOCALRANKID") ?? number("SLURM_LOCALID")
        if let rank, let localRank, rank - localRank == 0 { sharing -= 1 }
        return max(1, cpus / max(1, sharing))
    }

    /// This machine's name.
    static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "?" }
        return String(cString: name)
    }
}
