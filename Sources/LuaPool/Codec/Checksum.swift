/// The integrity check over each function's bytecode: 64-bit FNV-1a
/// (offset basis 0xcbf29ce484222325, prime 0x100000001b3). It catches
/// corruption, not forgery: anyone can compute it, which is why `loads`
/// with functions is only for data from `dumps`.
enum Checksum {
    static func fnv1a64(_ bytes: UnsafeRawBufferPointer, basis: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = basis
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
