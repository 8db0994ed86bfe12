import Glibc

/// The progress of a mapping call (`progress = true` or `"log"`), drawn by
/// the host while it waits; see README, "Scripted experiments".
///
/// - A bar, as tqdm draws it, on standard error when it is a terminal:
///   ` 45%|████▌     | 450/1000 [00:02<00:03, 180.00it/s]`, redrawn at
///   most 10 times a second. It counts the answers in and, from the
///   workers' shared progress records, the items they are on, so it moves
///   inside a chunk. When control goes back to the script (an `imap`
///   step, a callback), the bar is wiped, so what the script prints lands
///   where the bar was and the bar is drawn again below it at the next
///   wait. At the end it stays as a final line.
/// - `"log"`: a plain line at most every 5 seconds, wherever standard
///   error goes, and a last one at the end.
final class ProgressDisplay {
    let mode: CallSettings.ProgressMode
    let total: Int
    /// Items already done when the call started (from a checkpoint).
    let resumed: Int
    let start: Int64
    private var lastDraw: Int64 = 0
    /// The bar is on the screen, on its own unfinished line.
    private var shown = false
    private(set) var ended = false

    /// The displays of the calls that run now.
    nonisolated(unsafe) static var active: [ProgressDisplay] = []

    /// A display for a call of `total` items, or nil when nothing is to be
    /// drawn (a bar with standard error not a terminal).
    static func make(_ mode: CallSettings.ProgressMode?, total: Int, resumed: Int = 0) -> ProgressDisplay? {
        guard let mode, mode != .off, mode == .log || isatty(2) != 0 else { return nil }
        let display = ProgressDisplay(mode: mode, total: total, resumed: resumed)
        active.append(display)
        return display
    }

    private init(mode: CallSettings.ProgressMode, total: Int, resumed: Int) {
        (self.mode, self.total, self.resumed) = (mode, total, resumed)
        start = Spin.now()
    }

    var interval: Int64 { mode == .log ? 5_000_000_000 : 100_000_000 }

    /// Draws the progress if it is due; `done` is the count of items
    /// finished.
    func update(done: Int, now: Int64) {
        guard !ended, now - lastDraw >= interval else { return }
        lastDraw = now
        draw(done: done, now: now, final: false)
    }

    /// The call ended: the last line stays.
    func end(done: Int) {
        guard !ended else { return }
        ended = true
        draw(done: done, now: Spin.now(), final: true)
        ProgressDisplay.active.removeAll { $0 === self }
    }

    /// Wipes the bar, before the script's own code runs.
    func wipe() {
        guard shown else { return }
        shown = false
        ProgressDisplay.write("\r\u{1B}[K")
    }

    private func draw(done: Int, now: Int64, final: Bool) {
        let elapsed = Double(now - start) / 1e9
        switch mode {
        case .bar:
            let line = ProgressDisplay.barLine(done: done, total: total, counted: done - resumed, elapsed: elapsed,
                                               width: ProgressDisplay.columns())
            ProgressDisplay.write("\r" + line + "\u{1B}[K" + (final ? "\n" : ""))
            shown = !final
        case .log, .off:
            ProgressDisplay.write(ProgressDisplay.logLine(done: done, total: total, counted: done - resumed,
                                                          elapsed: elapsed, final: final) + "\n")
        }
    }

    /// ` 45%|████▌     | 450/1000 [00:02<00:03, 180.00it/s]`, fitted to
    /// `width` columns.
    static func barLine(done: Int, total: Int, counted: Int, elapsed: Double, width: Int) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let rate = elapsed > 0 ? Double(counted) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : nil
        let percent = String(Int(fraction * 100))
        let left = String(repeating: " ", count: max(0, 3 - percent.count)) + percent + "%|"
        let right = "| \(done)/\(total) [\(clock(elapsed))<\(remaining.map(clock) ?? "?"), \(rateText(rate))]"
        let room = max(1, min(60, width - 1 - left.count - right.count))
        let eighths = Int(fraction * Double(room * 8))
        var bar = String(repeating: "█", count: eighths / 8)
        if eighths % 8 > 0, bar.count < room { bar += ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8] }
        bar += String(repeating: " ", count: max(0, room - bar.count))
        return left + bar + right
    }

    /// `progress: 450/1000 (45%), 180 items/s, elapsed 00:02, remaining 00:03`.
    static func logLine(done: Int, total: Int, counted: Int, elapsed: Double, final: Bool) -> String {
        let percent = total > 0 ? Int(Double(done) / Double(total) * 100) : 100
        let rate = elapsed > 0 ? Double(counted) / elapsed : 0
        var line = "progress: \(done)/\(total) (\(percent)%), \(rateText(rate)), elapsed \(clock(elapsed))"
        if !final {
            line += ", remaining " + (rate > 0 ? clock(Double(total - done) / rate) : "?")
        }
        return line
    }

    /// `00:07`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(min(max(0, seconds), 359_999_999).rounded(.down))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(two(m)):\(two(s))"
    }

    /// `180.00it/s`, or `2.50s/it` when slower than one a second.
    static func rateText(_ rate: Double) -> String {
        func two(_ x: Double) -> String {
            let hundredths = Int((x * 100).rounded())
            let cents = hundredths % 100
            return "\(hundredths / 100)." + (cents < 10 ? "0\(cents)" : "\(cents)")
        }
        if rate <= 0 { return "?it/s" }
        return rate >= 1 ? "\(two(rate))it/s" : "\(two(1 / rate))s/it"
    }

    /// The terminal's width (80 when unknown).
    static func columns() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static func write(_ text: String) {
        fflush(stdout)
        fputs(text, stderr)
        fflush(stderr)
    }
}

extension WorkerPool {
    /// Items of `job` done, counting those its workers are inside of.
    func progressCount(of job: Job) -> Int {
        var done = job.itemsDone
        for slot in slots where slot.pid > 0 {
            guard let running = slot.inFlight.first, running.job == job.id else { continue }
            let record = progress[slot.index]
            let chunk = job.chunks[running.chunk]
            if record.chunk == WorkerPool.key(running), record.item > chunk.first {
                done += Int(min(record.item - chunk.first, Int64(chunk.size)))
            }
        }
        return min(done, job.count)
    }

    /// Draws the progress of this pool's calls that show it; ends the
    /// displays of the calls that are done. Returns the nanoseconds until
    /// the next drawing is due, nil when there is none.
    func drawProgress(now: Int64, onlyEnding: Bool = false) -> Int64? {
        var next: Int64?
        for job in jobs.values {
            guard let display = job.display, !display.ended else { continue }
            if job.isDone || job.cancelled {
                display.end(done: job.failure == nil ? job.itemsDone : progressCount(of: job))
                continue
            }
            if onlyEnding { continue }
            display.update(done: progressCount(of: job), now: now)
            next = min(next ?? display.interval, display.interval)
        }
        return next
    }
}

extension WorkerPool {
    /// At the end of a wait: the displays of the calls that are done draw
    /// their last line; bars of calls still running are wiped, as the
    /// script's code runs next.
    static func settleProgress(_ pools: [WorkerPool]) {
        let now = Spin.now()
        for pool in pools { _ = pool.drawProgress(now: now, onlyEnding: true) }
        for display in ProgressDisplay.active { display.wipe() }
    }
}
