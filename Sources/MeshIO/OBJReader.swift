import MeshCore

/// Wavefront OBJ reader: `v x y z [w] [r g b]` and `f` with `i`, `i/t`, `i//n`, `i/t/n` and
/// negative (relative) indices; polygons become triangle fans; every other statement is ignored.
enum OBJReader {
    static func read(_ raw: UnsafeRawBufferPointer) throws(MeshIOError) -> TriangleMesh {
        var c = TextCursor(raw)
        // `v` lines take at least ~12 bytes and `f` lines ~8, so these reserves stay below the file size.
        var positions: [Float] = []
        positions.reserveCapacity(raw.count / 12)
        var corners: [UInt32] = []  // file vertex indices (0-based), 3 per fan triangle
        corners.reserveCapacity(raw.count / 8)
        // Positive indices may only be checked once every vertex is known; keep the largest.
        var largestIndex = 0
        var largestIndexOffset = 0
        while !c.atEnd {
            c.skipSpaces()
            if c.atEnd { break }
            let b = c.bytes[c.pos]
            let next: UInt8 = c.pos + 1 < c.count ? c.bytes[c.pos + 1] : 10
            if b == 118 && TextCursor.isDelimiter(next) {  // "v"
                c.pos += 1
                let vertexNumber = positions.count / 3 + 1
                for _ in 0..<3 {
                    c.skipSpaces()
                    guard let v = c.float() else {
                        throw MeshIOError(
                            "OBJ line \(c.line): expected a number in vertex \(vertexNumber) but found \(c.tokenForMessage)")
                    }
                    if !v.isFinite {
                        throw MeshIOError(
                            "OBJ line \(c.line): vertex \(vertexNumber) has a NaN or infinite coordinate")
                    }
                    positions.append(v)
                }
                c.skipLine()  // w and per-vertex colours are not geometry
            } else if b == 102 && TextCursor.isDelimiter(next) {  // "f"
                c.pos += 1
                let vertexCount = positions.count / 3
                var n = 0
                var first: UInt32 = 0
                var previous: UInt32 = 0
                while true {
                    c.skipSpaces()
                    if c.atLineEnd || c.bytes[c.pos] == 35 { break }  // end of line or "#" comment
                    let start = c.pos
                    guard let index = c.integer() else {
                        throw MeshIOError("OBJ line \(c.line): expected a vertex index but found \(c.tokenForMessage)")
                    }
                    // Texture and normal references ("/t", "//n", "/t/n") are not geometry.
                    while !c.atEnd && c.bytes[c.pos] == 47 {
                        c.pos += 1
                        _ = c.integer()
                    }
                    if !c.atEnd && !TextCursor.isDelimiter(c.bytes[c.pos]) {
                        c.pos = start
                        throw MeshIOError("OBJ line \(c.line): bad face corner \(c.tokenForMessage)")
                    }
                    let resolved: Int
                    if index > 0 {
                        resolved = index - 1
                        if index > largestIndex {
                            largestIndex = index
                            largestIndexOffset = start
                        }
                    } else if index < 0 {
                        resolved = vertexCount + index
                        if resolved < 0 {
                            throw MeshIOError(
                                "OBJ line \(c.lineNumber(at: start)): vertex index \(index) is out of range (only \(vertexCount) vertices precede it)")
                        }
                    } else {
                        throw MeshIOError(
                            "OBJ line \(c.lineNumber(at: start)): vertex index 0 is invalid (OBJ indices start at 1)")
                    }
                    let id = UInt32(truncatingIfNeeded: resolved)
                    if n == 0 {
                        first = id
                    } else if n >= 2 {
                        corners.append(first); corners.append(previous); corners.append(id)
                    }
                    previous = id
                    n += 1
                }
                c.skipLine()
            } else {
                c.skipLine()  // vt, vn, g, o, usemtl, mtllib, s, l, p, comments, …
            }
        }
        let vertexCount = positions.count / 3
        if largestIndex > vertexCount {
            throw MeshIOError(
                "OBJ line \(c.lineNumber(at: largestIndexOffset)): vertex index \(largestIndex) is out of range (the file has \(vertexCount) vertices)")
        }
        guard !corners.isEmpty else {
            throw MeshIOError("OBJ file has \(ASCII.grouped(vertexCount)) vertices but no faces")
        }
        return IndexedWelder.weld(positions: positions, corners: corners)
    }
}

/// Welds an indexed mesh read from a file: exact-equal positions become one vertex, vertices
/// no face uses are dropped, and `sourceVertexCount` stays the number of vertices the file listed.
enum IndexedWelder {
    /// `corners` must already be checked to lie within `positions`.
    static func weld(positions: [Float], corners: [UInt32]) -> TriangleMesh {
        let vertexCount = positions.count / 3
        var builder = MeshBuilder(expectedTriangles: corners.count / 3)
        var remap = [UInt32](repeating: UInt32.max, count: vertexCount)
        positions.withUnsafeBufferPointer { p in
            corners.withUnsafeBufferPointer { cs in
                remap.withUnsafeMutableBufferPointer { r in
                    var i = 0
                    while i + 2 < cs.count {
                        var ids: (UInt32, UInt32, UInt32) = (0, 0, 0)
                        for k in 0..<3 {
                            let v = Int(cs[i + k])
                            var id = r[v]
                            if id == UInt32.max {
                                id = builder.vertex(p[3 * v], p[3 * v + 1], p[3 * v + 2])
                                r[v] = id
                            }
                            if k == 0 { ids.0 = id } else if k == 1 { ids.1 = id } else { ids.2 = id }
                        }
                        builder.triangle(ids.0, ids.1, ids.2)
                        i += 3
                    }
                }
            }
        }
        var mesh = builder.build()
        mesh.sourceVertexCount = vertexCount
        return mesh
    }
}
