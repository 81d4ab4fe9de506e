import MeshCore

/// Reads STL (binary and ASCII), OBJ and PLY meshes from bytes, welding exactly-equal positions.
///
/// Every reader keeps `sourceVertexCount` (STL: 3 per facet; OBJ/PLY: the vertices the file
/// listed), keeps degenerate triangles, and rejects NaN or infinite coordinates.
public enum MeshReader {
    /// Detects the format by content (binary STL when the size is exactly 84 + 50·n with n the
    /// count at byte 80, ASCII STL by `solid` + `facet`, PLY by its `ply` magic, OBJ by `v`/`f`
    /// lines); `fileExtension` ("stl", ".OBJ", …) only decides between otherwise ambiguous cases.
    public static func detect(_ bytes: UnsafeRawBufferPointer, fileExtension: String?) -> MeshFormat? {
        let n = bytes.count
        if n == 0 { return nil }
        let hint = extensionFormat(fileExtension)
        let c = TextCursor(bytes)
        if startsWithPLYMagic(c) { return .ply }
        if n >= 84 {
            // Compared as UInt64: on wasm32 a claim above Int32.max must not trap.
            let claimed = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 80, as: UInt32.self)))
            if (n - 84) % 50 == 0 && UInt64((n - 84) / 50) == claimed { return .stlBinary }
        }
        var start = c
        start.skipWhitespace()
        let startsWithSolid = start.keyword("solid")
        if looksLikeText(c) {
            if startsWithSolid && (contains("facet", c, limit: 1 << 16) || contains("endsolid", c, limit: 1 << 16)) {
                return .stlASCII
            }
            if hasOBJGeometry(c) { return .obj }
            if hint == .stlBinary { return .stlASCII }  // lets the ASCII parser say what is wrong
            return hint
        }
        // Binary data without PLY's magic can only be a binary STL (whose size check failed:
        // reading it then says how many triangles it claims and holds).
        if hint == .stlBinary || startsWithSolid || hint == nil && n >= 84 { return .stlBinary }
        return hint
    }

    /// Reads a mesh, detecting its format by content (see `detect`). With `welding: false`
    /// a binary STL keeps three vertices per facet (a renderer needs no shared vertices and
    /// saves the weld); other formats are welded either way. `runner` lets the binary STL weld
    /// use several cores (the mesh, vertex numbering included, is the same for every runner).
    public static func read(
        _ bytes: UnsafeRawBufferPointer, fileExtension: String?, welding: Bool = true, runner: JobRunner = .serial
    ) throws(MeshIOError) -> (mesh: TriangleMesh, format: MeshFormat) {
        var c = TextCursor(bytes)
        c.skipWhitespace()
        if c.atEnd {
            throw MeshIOError(bytes.isEmpty ? "the file is empty" : "the file holds only whitespace")
        }
        guard let format = detect(bytes, fileExtension: fileExtension) else {
            throw MeshIOError(
                looksLikeText(TextCursor(bytes))
                    ? "not a mesh file: text that is not ASCII STL ('solid' … 'facet'), OBJ ('v'/'f' lines) or PLY"
                    : "not a mesh file: binary data that is not a binary STL (size is not 84 + 50 × its triangle count)")
        }
        let mesh: TriangleMesh
        switch format {
        case .stlBinary: mesh = welding ? try STLReader.readBinary(bytes, runner: runner) : try STLReader.readBinaryUnwelded(bytes)
        case .stlASCII: mesh = try STLReader.readASCII(bytes)
        case .obj: mesh = try OBJReader.read(bytes)
        case .ply: mesh = try PLYReader.read(bytes)
        }
        return (mesh, format)
    }

    /// Reads a mesh from an array of bytes (see `read(_:fileExtension:)` for buffers).
    public static func read(
        _ bytes: [UInt8], fileExtension: String?
    ) throws(MeshIOError) -> (mesh: TriangleMesh, format: MeshFormat) {
        let result: Result<(mesh: TriangleMesh, format: MeshFormat), MeshIOError> = bytes.withUnsafeBytes { raw in
            do throws(MeshIOError) {
                return .success(try read(raw, fileExtension: fileExtension))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    // MARK: Detection helpers

    /// "stl" → `.stlBinary` (either STL), "obj" → `.obj`, "ply" → `.ply`, in any case, with or without a dot.
    static func extensionFormat(_ ext: String?) -> MeshFormat? {
        guard let ext else { return nil }
        var bytes: [UInt8] = []
        for b in ext.utf8 where !(bytes.isEmpty && b == 46) { bytes.append(b >= 65 && b <= 90 ? b + 32 : b) }
        switch bytes {
        case "stl": return .stlBinary
        case "obj": return .obj
        case "ply": return .ply
        default: return nil
        }
    }

    static func startsWithPLYMagic(_ c: TextCursor) -> Bool {
        let b = c.bytes
        guard b.count >= 4, b[0] == 112, b[1] == 108, b[2] == 121 else { return false }  // "ply"
        return b[3] == 10 || (b[3] == 13 && b.count >= 5 && b[4] == 10)
    }

    /// No control bytes other than whitespace in the first 4 KiB (binary STL data always has some).
    static func looksLikeText(_ c: TextCursor) -> Bool {
        let n = Swift.min(c.count, 4096)
        for i in 0..<n {
            let b = c.bytes[i]
            if b < 9 || (b > 13 && b < 32) || b == 127 { return false }
        }
        return true
    }

    /// Whether `word` occurs (in any case) within the first `limit` bytes.
    static func contains(_ word: StaticString, _ c: TextCursor, limit: Int) -> Bool {
        let w = word.utf8Start
        let m = word.utf8CodeUnitCount
        let n = Swift.min(c.count, limit)
        guard n >= m else { return false }
        for i in 0...(n - m) where (c.bytes[i] | 0x20) == w[0] {
            var k = 1
            while k < m && (c.bytes[i + k] | 0x20) == w[k] { k += 1 }
            if k == m { return true }
        }
        return false
    }

    /// Whether some line starts with a `v` or `f` statement.
    static func hasOBJGeometry(_ c: TextCursor) -> Bool {
        var c = c
        while !c.atEnd {
            c.skipSpaces()
            if c.pos + 1 < c.count {
                let b = c.bytes[c.pos]
                if (b == 118 || b == 102) && (c.bytes[c.pos + 1] == 32 || c.bytes[c.pos + 1] == 9) { return true }
            }
            c.skipLine()
        }
        return false
    }
}
