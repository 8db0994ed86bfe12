import Glibc

extension WorkerPool {
    /// Has `rank` start the worker for slot `index` (a fresh interpreter,
    /// as `start = "spawn"`): the host's end of its socket comes back
    /// through the relay of rank 0.
    func spawnRemoteWorker(slot index: Int, rank: Int) throws(SystemError) -> WorkerSlot {
        WorkerPool.workersStarted += 1
        let number = WorkerPool.workersStarted
        let progressWord = progress + index
        progressWord.pointee = WorkerProgress()
        HostGlobals.check(lua)
        let seen = HostGlobals.version
        let seed = FreshState.seed(lua, configuration)
        if let initializer = seed.initializer, initializer.count > 1 << 30 {
            throw SystemError(detail: "the initializer and its arguments are too large to send to rank \(rank) "
                              + "(\(initializer.count) bytes; the limit is 1073741824)")
        }
        let name = "PoolWorker-\(number) on rank \(rank) (\(MPIHost.hostName(of: rank)))"
        let request = SpawnRequest(number: UInt32(number), name: name,
                                   maxTasks: Int64(configuration.maxTasksPerChild ?? 0),
                                   path: seed.path, cpath: seed.cpath, initializer: seed.initializer)
        let opened: (UInt32, pid_t, Int32)
        do {
            opened = try MPIHost.open(rank: rank, request, record: progressWord)
        } catch {
            throw SystemError(detail: error.message)
        }
        let (id, pid, fd) = opened
        let socket = FileDescriptor(fd)
        do {
            try socket.setNonBlocking(true)
        } catch {
            MPIHost.kill(id, SIGKILL)
            MPIHost.forget(id)
            socket.close()
            throw error
        }
        Fork.hostDescriptors.insert(fd)
        let slot = WorkerSlot(index: index, number: number, pid: pid, socket: socket)
        slot.remote = (id, rank)
        slot.started = configuration.initializer == nil
        slot.seenVersion = seen
        return slot
    }

    /// Sends `signal` to the worker in `slot`: this machine's process, or
    /// through the relays (SIGKILL then ends what it started too).
    func signalWorker(_ slot: WorkerSlot, _ signal: Int32) {
        guard slot.pid > 0 else { return }
        if let remote = slot.remote {
            MPIHost.kill(remote.id, signal)
        } else {
            kill(slot.pid, signal)
        }
    }

    /// Gives back the job's workers this pool held (under MPI), once.
    func releaseSeats() {
        guard let ranks = configuration.ranks, !seatsReleased else { return }
        seatsReleased = true
        MPIHost.release(ranks)
    }
}
