import CLua
import CSystem
import Glibc

/// A rank's fork server (every rank but 0): forked from the rank's
/// process before `MPI_Init`, it makes the rank's Lua workers when its
/// relay asks, each a fork of this small process with a fresh `lua_State`
/// (FreshState): nothing forks after `MPI_Init`. It reaps them and tells
/// the relay how each ended, and kills one (with what it started) when
/// told. It dies with the relay, and its workers with it.
final class ForkServer {
    private let channel: MessageChannel
    /// The rank's progress records, shared with the relay (one per
    /// worker, by the index the relay gives).
    private let records: UnsafeMutablePointer<WorkerProgress>
    private var children: Set<pid_t> = []

    init(channel: MessageChannel, records: UnsafeMutablePointer<WorkerProgress>) {
        (self.channel, self.records) = (channel, records)
    }

    func run() -> Never {
        _ = csystem_set_parent_death_signal(SIGKILL)
        // Its workers' interpreters get luapool's modules.
        FreshState.openModules = { LuaPoolModules.open($0) }
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_DFL)
        while true {
            // What was read already comes first: the read that brought
            // this process its role may have brought the relay's first
            // requests too (a slow start), and poll says nothing of them.
            while let (payload, _) = channel.next() { handle(payload) }
            var entry = pollfd(fd: channel.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, children.isEmpty ? 1000 : 20)
            if ready > 0 {
                if !channel.fill() && channel.closed {
                    // The relay is gone: so are the workers.
                    for pid in children { ProcessTree.killTree(pid) }
                    _exit(0)
                }
                while let (payload, _) = channel.next() { handle(payload) }
            }
            reap()
        }
    }

    private func handle(_ payload: [UInt8]) {
        var reader = MessageReader(payload)
        switch reader.kind.flatMap(ServerMessage.init(rawValue:)) {
        case .spawn:
            guard let worker = reader.get(UInt32.self), let record = reader.get(UInt32.self),
                  let request = SpawnRequest(from: &reader) else { return }
            spawn(worker: worker, record: Int(record), request)
        case .kill:
            guard let pid = reader.get(Int32.self), let signal = reader.get(Int32.self),
                  children.contains(pid) else { return }
            if signal == SIGKILL { ProcessTree.killTree(pid) } else { kill(pid, signal) }
        default:
            break
        }
    }

    private func spawn(worker: UInt32, record: Int, _ request: SpawnRequest) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            refuse(worker, "socketpair: \(SystemError.describe(errno))")
            return
        }
        var size: Int32 = FileDescriptor.socketBufferBytes
        for fd in fds { _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        let progress = records + record
        progress.pointee = WorkerProgress()
        fflush(nil)
        let pid = fork()
        if pid < 0 {
            refuse(worker, "fork: \(SystemError.describe(errno))")
            close(fds[0])
            close(fds[1])
            return
        }
        if pid == 0 {
            close(fds[0])
            close(channel.fd)
            _exit(ForkServer.runWorker(socket: fds[1], progress: progress, request))
        }
        close(fds[1])
        children.insert(pid)
        var writer = MessageWriter(ServerMessage.spawned.rawValue)
        writer.put(worker)
        writer.put(Int32(pid))
        _ = channel.send(writer.bytes, passing: fds[0])
        close(fds[0])
    }

    private func refuse(_ worker: UInt32, _ message: String) {
        var writer = MessageWriter(ServerMessage.failed.rawValue)
        writer.put(worker)
        writer.put(message)
        _ = channel.send(writer.bytes)
    }

    /// Reaps the workers that ended and says how.
    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard children.remove(pid) != nil else { continue }
            var writer = MessageWriter(ServerMessage.exited.rawValue)
            writer.put(Int32(pid))
            writer.put(status)
            _ = channel.send(writer.bytes)
        }
    }

    /// The worker: a fresh interpreter with luapool's modules, the pool's
    /// initializer, then the worker loop on `socket`.
    private static func runWorker(socket: Int32, progress: UnsafeMutablePointer<WorkerProgress>,
                                  _ request: SpawnRequest) -> Int32 {
        _ = csystem_set_parent_death_signal(SIGKILL)
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 {
            dup2(null, 0)
            if null != 0 { close(null) }
        }
        setvbuf(stdout, nil, _IOLBF, Int(BUFSIZ))
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_DFL)
        ProcessIdentity.current = ProcessIdentity(name: request.name, isWorker: true, parent: nil, path: [])
        let seed = FreshState.Seed(path: request.path, cpath: request.cpath, initializer: request.initializer)
        guard let lua = FreshState.make(seed) else {
            fputs("luapool worker: cannot create a Lua state: not enough memory\n", stderr)
            return 70
        }
        let refs: (Int32?, Int32?)
        do {
            refs = try FreshState.initializer(lua, seed)
        } catch {
            fputs("luapool worker: cannot receive the initializer: \(error.message)\n", stderr)
            return 70
        }
        let thread = lua.newThread()
        let loop = WorkerLoop(lua: thread, socket: FileDescriptor(socket), progress: progress,
                              maxTasks: request.maxTasks > 0 ? Int(request.maxTasks) : nil)
        guard loop.initialize(function: refs.0, arguments: refs.1) else { return 1 }
        return loop.run()
    }
}
