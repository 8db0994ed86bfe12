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
        "\(call): \(String(cString: strerror(errno)))"
    }
}
