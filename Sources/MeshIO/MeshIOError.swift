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
