import CLua
import Glibc

/// Ctrl-C while Lua code runs, as lua.c handles it: SIGINT sets a hook
/// that raises `interrupted` in the running chunk at its next step; a
/// second SIGINT before the hook ran ends the process as usual.
///
/// lua.c raises `interrupted!` with the position; luapool raises the bare
/// string `interrupted`, the same value a pool call raises when Ctrl-C
/// stops it, so a script can test for it and the interpreter can exit with
/// status 130 whichever way the signal landed.
public enum LuaInterrupt {
    /// The error value Ctrl-C raises.
    public static let message = "interrupted"

    /// Whether an error's text is Ctrl-C's: `interrupted`, alone or with
    /// the traceback lua.c's message handler adds.
    public static func isInterruption(_ text: String) -> Bool {
        text == message || text.hasPrefix(message + "\nstack traceback:")
    }

    nonisolated(unsafe) private static var target: OpaquePointer?
    nonisolated(unsafe) private static var previous = sigaction()

    /// Installs the SIGINT handler for the duration of a call into `state`,
    /// keeping the handler that was there for ``disarm()``.
    public static func arm(_ state: LuaState) {
        target = state.L
        sigaction(SIGINT, nil, &previous)
        setHandler { signal in
            LuaInterrupt.setHandler(nil)
            if let L = LuaInterrupt.target { clua_setinterrupthook(L) }
        }
    }

    /// Restores the handler that was there before ``arm(_:)`` (the
    /// default action, but in the REPL on a terminal).
    public static func disarm() {
        sigaction(SIGINT, &previous, nil)
        target = nil
    }

    private static func setHandler(_ handler: (@convention(c) (Int32) -> Void)?) {
        var action = sigaction()
        if let handler {
            action.__sigaction_handler.sa_handler = handler
        } else {
            action.__sigaction_handler.sa_handler = SIG_DFL
        }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
    }
}
