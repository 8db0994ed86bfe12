import CLua

/// An error raised by Lua code, or a chunk that failed to load.
public struct LuaError: Error, CustomStringConvertible {
    /// What failed, from the status Lua returned.
    public enum Kind: Sendable, Equatable {
        /// A runtime error (`LUA_ERRRUN`).
        case runtime
        /// A syntax error while loading (`LUA_ERRSYNTAX`).
        case syntax
        /// A memory allocation error (`LUA_ERRMEM`).
        case memory
        /// An error while running the message handler (`LUA_ERRERR`).
        case handler
        /// A file that could not be opened or read (`LUA_ERRFILE`).
        case file

        init(status: Int32) {
            switch status {
            case LUA_ERRSYNTAX: self = .syntax
            case LUA_ERRMEM: self = .memory
            case LUA_ERRERR: self = .handler
            case LUA_ERRFILE: self = .file
            default: self = .runtime
            }
        }
    }

    public let kind: Kind
    /// The error object itself: a string usually, but any Lua value.
    public let value: LuaValue
    /// The error as text: the string or number, else the result of its
    /// `__tostring`, else `(error object is a T value)`.
    public let message: String
    /// Lua's `stack traceback:` text from where the error was raised, for
    /// runtime errors raised under ``LuaState/call(arguments:results:)``.
    public let traceback: String?

    /// Whether ``message`` is the result of the error object's
    /// `__tostring`; lua.c prints no traceback after such a message.
    public let messageIsFromToString: Bool

    /// The error as lua.c reports it: the message, then the traceback
    /// unless the message came from `__tostring`.
    public var description: String {
        if let traceback, !messageIsFromToString {
            return message + "\n" + traceback
        }
        return message
    }
}
