import Glibc

/// A system call that failed: the call's name and `errno`.
public struct SystemError: Error, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    /// What went wrong, when it is not a call's errno (a remote worker
    /// that could not be started).
    public let detail: String?

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
        self.detail = nil
    }

    public init(detail: String) {
        (self.call, self.errno, self.detail) = ("", 0, detail)
    }

    /// `poll: Interrupted system call`
    public var description: String {
        detail ?? "\(call): \(SystemError.describe(errno))"
    }

    /// `No such file or directory`: the text of an errno value.
    public static func describe(_ errno: Int32) -> String {
        String(cString: strerror(errno))
    }
}
