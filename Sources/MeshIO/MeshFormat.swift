/// A mesh file format MeshIO reads and writes.
public enum MeshFormat: Sendable, Equatable {
    /// Binary STL: 80-byte header, little-endian triangle count, 50 bytes per facet.
    case stlBinary
    /// ASCII STL: `solid … facet normal … outer loop … vertex x y z … endsolid`.
    case stlASCII
    /// Wavefront OBJ (`v` and `f` lines; everything else is ignored).
    case obj
    /// Stanford PLY (ascii, binary little or big endian); written as binary little endian.
    case ply

    /// Short stable name for reports and JSON: "stl-binary", "stl-ascii", "obj", "ply".
    public var name: String {
        switch self {
        case .stlBinary: return "stl-binary"
        case .stlASCII: return "stl-ascii"
        case .obj: return "obj"
        case .ply: return "ply"
        }
    }
}
