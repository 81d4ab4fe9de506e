import MeshCore

/// STL readers: binary (80-byte header, uint32 count, 50-byte facets) and ASCII.
enum STLReader {
    /// The triangle count claimed at byte 80, checked against the bytes present before anything
    /// is allocated (a claim larger than the file is an error naming both numbers).
    static func triangleCount(_ bytes: UnsafeRawBufferPointer) throws(MeshIOError) -> Int {
        guard bytes.count >= 84 else {
            throw MeshIOError("binary STL is \(bytes.count) bytes, shorter than its 84-byte header")
        }
        // UInt64 so a claim above Int32.max cannot trap on wasm32.
        let claim = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 80, as: UInt32.self)))
        let holds = (bytes.count - 84) / 50
        guard claim <= UInt64(holds) else {
            throw MeshIOError(
                "STL header claims \(grouped(claim)) triangles but the file holds \(ASCII.grouped(holds))")
        }
        guard claim > 0 else { throw MeshIOError("binary STL holds no triangles") }
        return Int(claim)
    }

    /// Reads a binary STL; the triangle count claimed at byte 80 is checked against the
    /// bytes present before anything is allocated. `runner` spreads the weld over cores; the
    /// mesh is the same for every runner.
    static func readBinary(_ bytes: UnsafeRawBufferPointer, runner: JobRunner = .serial) throws(MeshIOError) -> TriangleMesh {
        let claimed = try triangleCount(bytes)
        if PartitionedWeld.handles(triangles: claimed) {
            let (mesh, badTriangle) = PartitionedWeld.weld(bytes, triangles: claimed, runner: runner)
            if let mesh { return mesh }
            throw MeshIOError(
                "binary STL triangle \(badTriangle) (counting from 0) has a NaN or infinite coordinate")
        }
        // Closed meshes have about half as many vertices as triangles.
        var table = WeldTable(expectedVertices: claimed / 2 + 16)
        defer { table.deallocate() }
        var badTriangle = -1
        let indices = [UInt32](unsafeUninitializedCapacity: 3 * claimed) { out, initialized in
            initialized = 3 * claimed
            var offset = 84 + 12  // skip the stored normal: it is recomputed from the winding when needed
            for t in 0..<claimed {
                let b0 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                let b1 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                let b2 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
                let b3 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let b4 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self))
                let b5 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 20, as: UInt32.self))
                let b6 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt32.self))
                let b7 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 28, as: UInt32.self))
                let b8 = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 32, as: UInt32.self))
                // All-ones exponent bits mean NaN or infinity.
                let e: UInt32 = 0x7F80_0000
                if (b0 & e == e) || (b1 & e == e) || (b2 & e == e) || (b3 & e == e) || (b4 & e == e)
                    || (b5 & e == e) || (b6 & e == e) || (b7 & e == e) || (b8 & e == e)
                {
                    badTriangle = t
                    initialized = 3 * t
                    return
                }
                out[3 &* t] = table.id(b0, b1, b2)
                out[3 &* t &+ 1] = table.id(b3, b4, b5)
                out[3 &* t &+ 2] = table.id(b6, b7, b8)
                offset &+= 50
            }
        }
        if badTriangle >= 0 {
            throw MeshIOError(
                "binary STL triangle \(badTriangle) (counting from 0) has a NaN or infinite coordinate")
        }
        return TriangleMesh(positions: table.positions, indices: indices, sourceVertexCount: 3 * claimed)
    }

    /// Reads a binary STL as a triangle soup: three fresh vertices per facet, no welding.
    static func readBinaryUnwelded(_ bytes: UnsafeRawBufferPointer) throws(MeshIOError) -> TriangleMesh {
        let claimed = try triangleCount(bytes)
        var badTriangle = -1
        let positions = [Float](unsafeUninitializedCapacity: 9 * claimed) { out, initialized in
            initialized = 9 * claimed
            var offset = 84 + 12
            let e: UInt32 = 0x7F80_0000
            for t in 0..<claimed {
                for k in 0..<9 {
                    let b = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset &+ 4 &* k, as: UInt32.self))
                    if b & e == e {
                        badTriangle = t
                        initialized = 9 * t
                        return
                    }
                    out[9 &* t &+ k] = Float(bitPattern: b)
                }
                offset &+= 50
            }
        }
        if badTriangle >= 0 {
            throw MeshIOError(
                "binary STL triangle \(badTriangle) (counting from 0) has a NaN or infinite coordinate")
        }
        let indices = [UInt32](unsafeUninitializedCapacity: 3 * claimed) { out, initialized in
            for i in 0..<(3 * claimed) { out[i] = UInt32(truncatingIfNeeded: i) }
            initialized = 3 * claimed
        }
        return TriangleMesh(positions: positions, indices: indices, sourceVertexCount: 3 * claimed)
    }

    /// Reads an ASCII STL: one or more `solid … endsolid` blocks, keywords in any case,
    /// any line endings. Each facet's loop is fan-triangulated (normally it has 3 vertices).
    static func readASCII(_ raw: UnsafeRawBufferPointer) throws(MeshIOError) -> TriangleMesh {
        var c = TextCursor(raw)
        // Typical facets take about 250 bytes; the estimate is bounded by the file size.
        var builder = MeshBuilder(expectedTriangles: raw.count / 256)
        var facets = 0
        c.skipWhitespace()
        guard c.keyword("solid") else {
            throw MeshIOError("ASCII STL line \(c.line): expected 'solid' but found \(c.tokenForMessage)")
        }
        c.skipPlainLine()  // the solid's name
        while true {
            c.skipWhitespace()
            if c.atEnd {
                throw MeshIOError(
                    "ASCII STL ends after \(ASCII.grouped(facets)) facets without 'endsolid' (truncated file?)")
            }
            if c.keyword("facet") {
                // The stored normal is recomputed from the winding when needed, so it is skipped
                // (it may even be NaN in real files) without requiring a line break after it.
                c.skipSpaces()
                if c.keyword("normal") {
                    for _ in 0..<3 {
                        c.skipSpaces()
                        if c.float() == nil { break }
                    }
                }
                c.skipWhitespace()
                guard c.keyword("outer") else { throw expected("outer loop", c) }
                c.skipSpaces()
                guard c.keyword("loop") else { throw expected("loop", c) }
                var corners = 0
                var first: UInt32 = 0
                var previous: UInt32 = 0
                while true {
                    c.skipWhitespace()
                    if c.keyword("vertex") {
                        var xyz: (Float, Float, Float) = (0, 0, 0)
                        for k in 0..<3 {
                            c.skipSpaces()
                            guard let v = c.float() else { throw expected("a number", c) }
                            if !v.isFinite {
                                throw MeshIOError(
                                    "ASCII STL line \(c.line): facet \(facets) (counting from 0) has a NaN or infinite coordinate")
                            }
                            if k == 0 { xyz.0 = v } else if k == 1 { xyz.1 = v } else { xyz.2 = v }
                        }
                        let id = builder.vertex(xyz.0, xyz.1, xyz.2)
                        if corners == 0 {
                            first = id
                        } else if corners >= 2 {
                            builder.triangle(first, previous, id)
                        }
                        previous = id
                        corners += 1
                    } else if c.keyword("endloop") {
                        break
                    } else {
                        throw expected(corners < 3 ? "'vertex'" : "'vertex' or 'endloop'", c)
                    }
                }
                if corners < 3 {
                    throw MeshIOError(
                        "ASCII STL line \(c.line): facet \(facets) (counting from 0) has \(corners) vertices, fewer than 3")
                }
                c.skipWhitespace()
                guard c.keyword("endfacet") else { throw expected("'endfacet'", c) }
                facets += 1
            } else if c.keyword("endsolid") {
                c.skipPlainLine()
                c.skipWhitespace()
                if c.atEnd { break }
                guard c.keyword("solid") else { throw expected("'solid' or the end of the file", c) }
                c.skipPlainLine()
            } else {
                throw expected("'facet' or 'endsolid'", c)
            }
        }
        guard facets > 0 else { throw MeshIOError("ASCII STL holds no facets") }
        return builder.build()
    }

    static func expected(_ what: String, _ c: TextCursor) -> MeshIOError {
        MeshIOError("ASCII STL line \(c.line): expected \(what) but found \(c.tokenForMessage)")
    }
}
