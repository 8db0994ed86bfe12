import Glibc

/// A system call that failed: the call's name and `errno`.
public struct SystemError: Error, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    /// `poll: Interrupted system call`
    public var description: String {
        "\(call): \(SystemError.describe(errno))"
    }

    /// `No such file or directory`: the text of an errno value.
    public static func describe(_ errno: Int32) -> String {
        String(cString: strerror(errno))
    }
}
