/// Why a mesh file could not be read: one human-readable line naming what was wrong and
/// where (line, triangle or vertex index, byte counts).
public struct MeshIOError: Error, Equatable, Sendable {
    /// The explanation, e.g. "STL header claims 4,000,000 triangles but the file holds 12,000".
    public var message: String

    /// Makes an error with `message`.
    public init(_ message: String) {
        self.message = message
    }
}

/// `n` with thousands separators, like `ASCII.grouped`, for counts a file claims that may not
/// fit a 32-bit `Int` (wasm32).
func grouped(_ n: UInt64) -> String {
    var digits: [UInt8] = []
    var m = n
    var count = 0
    repeat {
        if count > 0 && count % 3 == 0 { digits.append(44) }
        digits.append(UInt8(48 + m % 10))
        m /= 10
        count += 1
    } while m > 0
    digits.reverse()
    return String(decoding: digits, as: UTF8.self)
}
