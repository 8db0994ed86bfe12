-- Timing for the benchmarks (bench/*.lua), read by bench/lib/driver.py.
--
-- A script has no wall clock in luapool (os.clock is CPU time), so each
-- timed stretch is marked on stdout and the driver, which reads the pipe
-- as it fills, timestamps the marks with a monotonic clock
-- (time.perf_counter) when they arrive:
--
--   start NAME            a stretch begins
--   stop NAME COUNT       it ends; one sample of (stop - start) / COUNT
--   sample NAME SECONDS COUNT   a time the script took itself (os.clock,
--                         CPU time: for work in this process alone)
--   value NAME NUMBER     a number that is not a time (e.g. bytes)
--   info TEXT             shown with scripts/bench --verbose
--
-- Both marks of a stretch reach the driver the same way, so its wake-up
-- latency cancels out; bench/lib/driver.py --check-marks measures what is left.

local M = {}

local out = io.stdout

local function line(...)
  out:write(...)
  out:write("\n")
  out:flush()
end

--- Marks the start of the stretch `name`.
function M.start(name)
  line("start ", name)
end

--- Marks its end; the sample is the stretch's time divided by `count`
--- (default 1), for a mean per call over a batch of calls.
function M.stop(name, count)
  line("stop ", name, " ", tostring(count or 1))
end

--- Reports a time the script measured itself, e.g. CPU time from
--- os.clock; the sample is `seconds` divided by `count` (default 1).
function M.sample(name, seconds, count)
  line("sample ", name, " ", string.format("%.9f", seconds), " ", tostring(count or 1))
end

--- Reports a number that is not a time.
function M.value(name, number)
  line("value ", name, " ", tostring(number))
end

--- A line for the reader (scripts/bench --verbose).
function M.info(text)
  line("info ", text)
end

--- True when the script was started with the argument `quick`.
function M.quick()
  return arg ~= nil and arg[1] == "quick"
end

--- Sums Private_Clean + Private_Dirty, and reads Pss and Rss, from
--- /proc/PID/smaps_rollup; all in KiB. Nil when the file cannot be read.
function M.smaps(pid)
  local f = io.open("/proc/" .. pid .. "/smaps_rollup", "r")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  local function field(name)
    return tonumber(text:match("\n" .. name .. ":%s*(%d+) kB")) or 0
  end
  return {
    private = field("Private_Clean") + field("Private_Dirty"),
    pss = field("Pss"),
    rss = field("Rss"),
  }
end

return M
