#!/usr/bin/env python3
"""Drives a program through a pseudo-terminal, as a person at a terminal would.

    drive.py [--env NAME=VALUE]... [--timeout S] -- PROGRAM [ARGS...] ::: STEP...

Steps (Python string escapes work in TEXT: \\r Enter, \\t Tab, \\x03 Ctrl-C,
\\x04 Ctrl-D, \\x12 Ctrl-R, \\x1b[A up arrow):

    type:TEXT                 write TEXT to the terminal
    expect:TEXT               wait (at most --timeout s) until the output, after
                              the previous match, contains TEXT
    expect-within:S:TEXT      the same, waiting at most S seconds
    sleep:S                   wait S seconds, reading output
    exit:N                    wait for the program to exit with status N

With --screen, the output is also shown as the screen would show it (a
carriage return goes back to the line's start, ESC [K erases the rest of
the line, text overwrites), after a line "--- screen ---".

The output is matched with terminal control sequences and carriage returns
removed. The program runs in a session of its own on an 80x24 terminal;
whatever is left of its process group is killed at the end. Prints the
output; exits 0 when every step held, else 1 after a line "FAIL: ...".
"""
import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

CONTROL = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78DEHMcn]|\r|\x07|\x08")


class Terminal:
    def __init__(self, argv, env):
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.raw = b""
        self.matched = 0
        self.status = None

    def text(self):
        return CONTROL.sub(b"", self.raw).decode("utf-8", "replace")

    def screen(self):
        """The lines as a terminal shows them: \r, \n and ESC [K applied,
        other control sequences dropped (no cursor movement, no wrapping)."""
        lines, column = [[]], 0
        text = self.raw.decode("utf-8", "replace")
        at = 0
        while at < len(text):
            char = text[at]
            if char == "\x1b":
                end = at + 1
                if end < len(text) and text[end] == "[":
                    end += 1
                    while end < len(text) and not ("@" <= text[end] <= "~"):
                        end += 1
                    if end < len(text) and text[end] == "K":
                        del lines[-1][column:]
                at = end + 1
                continue
            if char == "\r":
                column = 0
            elif char == "\n":
                lines.append([])
                column = 0
            elif char == "\x08":
                column = max(0, column - 1)
            elif char >= " " or char == "\t":
                line = lines[-1]
                if column < len(line):
                    line[column] = char
                else:
                    line.extend(" " * (column - len(line)))
                    line.append(char)
                column += 1
            at += 1
        return "\n".join("".join(line) for line in lines)

    def read(self, seconds):
        """Reads what comes within `seconds`: "data", "quiet" or "closed"."""
        ready, _, _ = select.select([self.fd], [], [], max(0, seconds))
        if not ready:
            return "quiet"
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        self.raw += data
        return "data" if data else "closed"

    def expect(self, text, seconds):
        deadline = time.monotonic() + seconds
        while True:
            at = self.text().find(text, self.matched)
            if at >= 0:
                self.matched = at + len(text)
                return True
            left = deadline - time.monotonic()
            if left <= 0 or self.read(left) == "closed":
                return False

    def wait_exit(self, seconds):
        deadline = time.monotonic() + seconds
        while self.status is None and time.monotonic() < deadline:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = os.waitstatus_to_exitcode(status)
            else:
                self.read(0.05)
        while self.read(0.05) == "data":
            pass
        return self.status

    def close(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.status is None:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        os.close(self.fd)


def run_step(term, step, timeout):
    kind, _, arg = step.partition(":")
    if kind == "type":
        os.write(term.fd, codecs.decode(arg, "unicode_escape").encode("utf-8"))
        return None
    if kind == "expect":
        text = codecs.decode(arg, "unicode_escape")
        return None if term.expect(text, timeout) else f"no {text!r} within {timeout} s"
    if kind == "expect-within":
        seconds, _, raw = arg.partition(":")
        text = codecs.decode(raw, "unicode_escape")
        return None if term.expect(text, float(seconds)) else f"no {text!r} within {seconds} s"
    if kind == "sleep":
        end = time.monotonic() + float(arg)
        while time.monotonic() < end:
            term.read(end - time.monotonic())
        return None
    if kind == "exit":
        status = term.wait_exit(timeout)
        return None if status == int(arg) else f"exit status {status}, expected {arg}"
    return f"unknown step {step!r}"


def processes(group):
    """The state and kernel wait channel of each process of the group, to
    tell a stuck program from a slow machine when a step fails."""
    lines = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:
                continue
            with open(f"/proc/{entry}/wchan") as f:
                wchan = f.read()
            with open(f"/proc/{entry}/status") as f:
                blocked = [l.split()[1] for l in f if l.startswith(("SigBlk", "SigCgt"))]
        except (OSError, IndexError, ValueError):
            continue
        lines.append(f"  pid {entry} state {fields[0]} wchan {wchan or '-'} blocked {blocked[0]} caught {blocked[1]}")
    return "processes of the group:\n" + "\n".join(lines)


def main(args):
    env, timeout, screen = dict(os.environ), 10.0, False
    while args and args[0] != "--":
        option = args.pop(0)
        if option == "--screen":
            screen = True
        elif option == "--env":
            name, _, value = args.pop(0).partition("=")
            env[name] = value
        elif option == "--timeout":
            timeout = float(args.pop(0))
    split = args.index(":::")
    argv, steps = args[1:split], args[split + 1:]
    term = Terminal(argv, env)
    failure, started = None, time.monotonic()
    try:
        for number, step in enumerate(steps, 1):
            failure = run_step(term, step, timeout)
            if failure:
                failure = (f"step {number} ({step}) at {time.monotonic() - started:.1f} s: {failure}\n"
                           + processes(term.pid))
                break
    finally:
        term.read(0.05)
        term.close()
    sys.stdout.write(term.text())
    if screen:
        sys.stdout.write("\n--- screen ---\n" + term.screen() + "\n")
    if failure:
        sys.stdout.write(f"\nFAIL: {failure}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
