import Foundation
import Glibc

/// What `/proc` says about processes: whether one still runs, which ones
/// are in a process group. A zombie (state Z) or a dead task (X) does not
/// run: it is gone but for its parent's `wait`, which after its parent
/// exited is for init to do.
enum ProcessTable {
    /// One line of `/proc/PID/stat`, the fields the tests need.
    struct Entry {
        var pid: pid_t
        var state: Character
        var parent: pid_t
        var group: pid_t

        var isRunning: Bool { state != "Z" && state != "X" }
    }

    /// The entry of `pid`, nil when there is no such process.
    static func entry(_ pid: pid_t) -> Entry? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // "PID (comm) S PPID PGRP ...": comm may hold blanks and parentheses.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count >= 3, let state = fields[0].first,
              let parent = pid_t(fields[1]), let group = pid_t(fields[2]) else { return nil }
        return Entry(pid: pid, state: state, parent: parent, group: group)
    }

    /// Whether `pid` exists and is not a zombie.
    static func isRunning(_ pid: pid_t) -> Bool {
        entry(pid)?.isRunning ?? false
    }

    /// Every process, as far as `/proc` lists it.
    static func all() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap { entry($0) }
    }

    /// The running (not zombie) processes of process group `group`.
    static func running(inGroup group: pid_t) -> [pid_t] {
        all().filter { $0.group == group && $0.isRunning }.map(\.pid)
    }

    /// The running children of `parent`.
    static func runningChildren(of parent: pid_t) -> [pid_t] {
        all().filter { $0.parent == parent && $0.isRunning }.map(\.pid)
    }

    /// Waits up to `timeout` seconds until none of `pids` runs; returns
    /// those still running then.
    static func waitUntilGone(_ pids: [pid_t], timeout: Double = 1) -> [pid_t] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = pids.filter(isRunning)
            if left.isEmpty || Date() >= deadline { return left }
            usleep(10_000)
        }
    }

    /// Waits up to `timeout` seconds until process group `group` has no
    /// running process; returns those still running then.
    static func waitUntilEmpty(group: pid_t, timeout: Double = 1) -> [pid_t] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = running(inGroup: group)
            if left.isEmpty || Date() >= deadline { return left }
            usleep(10_000)
        }
    }

    /// Sends SIGKILL to those of `pids` that are still in process group
    /// `group` (so never to a process that reused a pid): cleanup after a
    /// failed test.
    static func killLeftovers(_ pids: [pid_t], group: pid_t) {
        for pid in pids where entry(pid)?.group == group {
            kill(pid, SIGKILL)
        }
    }
}
