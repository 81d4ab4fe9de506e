import MeshCore

/// Writes 3MF packages without Foundation or a compressor, so the browser build can make
/// them: a zip whose three entries are STORED (not deflated). Larger than a deflated 3MF
/// (about 3×) but every slicer reads it, and it is written in one pass at memory speed.
///
/// Coordinates are millimetres (the model declares `unit="millimeter"`); numbers use the
/// shortest text that reads back to the same Float (`DecimalNumber`), so a reader gets
/// exactly the written coordinates. One object and one build item per mesh.
public enum ThreeMFStoredWriter {
    /// The 3MF file's bytes. Names are XML-escaped; non-finite coordinates are written as
    /// 0 (meshes from Vitrine's generators never hold them).
    public static func write(objects: [(name: String, mesh: TriangleMesh)]) -> [UInt8] {
        var out: [UInt8] = []
        var estimate = 2048
        for o in objects { estimate += o.mesh.vertexCount * 52 + o.mesh.triangleCount * 48 + 160 }
        out.reserveCapacity(estimate)
        var entries: [(name: StaticString, offset: Int, crc: UInt32, size: Int)] = []

        func entry(_ name: StaticString, _ body: (inout [UInt8]) -> Void) {
            let offset = out.count
            localHeader(name, to: &out)
            let start = out.count
            body(&out)
            let size = out.count - start
            let crc = out.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<start + size])) }
            // Patch CRC and both sizes into the local header (offsets 14, 18, 22).
            put32(crc, at: offset + 14, in: &out)
            put32(UInt32(truncatingIfNeeded: size), at: offset + 18, in: &out)
            put32(UInt32(truncatingIfNeeded: size), at: offset + 22, in: &out)
            entries.append((name, offset, crc, size))
        }
        entry("[Content_Types].xml") { append(contentTypes, to: &$0) }
        entry("_rels/.rels") { append(relationships, to: &$0) }
        entry("3D/3dmodel.model") { model(objects, to: &$0) }

        let directory = out.count
        for e in entries {
            append32(0x0201_4B50, to: &out)
            append16(20, to: &out); append16(20, to: &out)  // made by, needed: 2.0
            append16(0, to: &out); append16(0, to: &out)  // flags, method STORED
            append16(dosTime, to: &out); append16(dosDate, to: &out)
            append32(e.crc, to: &out)
            append32(UInt32(truncatingIfNeeded: e.size), to: &out)
            append32(UInt32(truncatingIfNeeded: e.size), to: &out)
            append16(UInt16(e.name.utf8CodeUnitCount), to: &out)
            append16(0, to: &out); append16(0, to: &out)  // extra, comment
            append16(0, to: &out); append16(0, to: &out)  // disk, internal attributes
            append32(0, to: &out)  // external attributes
            append32(UInt32(truncatingIfNeeded: e.offset), to: &out)
            append(e.name, to: &out)
        }
        let directorySize = out.count - directory
        append32(0x0605_4B50, to: &out)
        append16(0, to: &out); append16(0, to: &out)
        append16(UInt16(entries.count), to: &out); append16(UInt16(entries.count), to: &out)
        append32(UInt32(truncatingIfNeeded: directorySize), to: &out)
        append32(UInt32(truncatingIfNeeded: directory), to: &out)
        append16(0, to: &out)
        return out
    }

    /// 2000-01-01 00:00 in MS-DOS form: a fixed stamp keeps the output reproducible.
    static let dosDate: UInt16 = (20 << 9) | (1 << 5) | 1
    static let dosTime: UInt16 = 0

    static func localHeader(_ name: StaticString, to out: inout [UInt8]) {
        append32(0x0403_4B50, to: &out)
        append16(20, to: &out); append16(0, to: &out); append16(0, to: &out)  // needed 2.0, flags, STORED
        append16(dosTime, to: &out); append16(dosDate, to: &out)
        append32(0, to: &out); append32(0, to: &out); append32(0, to: &out)  // crc, sizes: patched
        append16(UInt16(name.utf8CodeUnitCount), to: &out); append16(0, to: &out)
        append(name, to: &out)
    }

    static func model(_ objects: [(name: String, mesh: TriangleMesh)], to out: inout [UInt8]) {
        append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<model unit=\"millimeter\" xml:lang=\"en-US\" xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\">\n <resources>\n", to: &out)
        for (k, object) in objects.enumerated() {
            let mesh = object.mesh
            append("  <object id=\"", to: &out)
            DecimalNumber.appendInteger(k + 1, to: &out)
            append("\" name=\"", to: &out)
            appendEscaped(object.name, to: &out)
            append("\" type=\"model\">\n   <mesh>\n    <vertices>\n", to: &out)
            mesh.positions.withUnsafeBufferPointer { p in
                var i = 0
                while i + 2 < p.count {
                    append("<vertex x=\"", to: &out)
                    number(p[i], to: &out)
                    append("\" y=\"", to: &out)
                    number(p[i + 1], to: &out)
                    append("\" z=\"", to: &out)
                    number(p[i + 2], to: &out)
                    append("\"/>\n", to: &out)
                    i += 3
                }
            }
            append("    </vertices>\n    <triangles>\n", to: &out)
            let vertexCount = UInt32(truncatingIfNeeded: mesh.vertexCount)
            mesh.indices.withUnsafeBufferPointer { t in
                var i = 0
                while i + 2 < t.count {
                    // An index past the vertices would make the file invalid; 0 keeps it readable.
                    let a = t[i] < vertexCount ? t[i] : 0, b = t[i + 1] < vertexCount ? t[i + 1] : 0
                    let c = t[i + 2] < vertexCount ? t[i + 2] : 0
                    append("<triangle v1=\"", to: &out)
                    appendIndex(a, to: &out)
                    append("\" v2=\"", to: &out)
                    appendIndex(b, to: &out)
                    append("\" v3=\"", to: &out)
                    appendIndex(c, to: &out)
                    append("\"/>\n", to: &out)
                    i += 3
                }
            }
            append("    </triangles>\n   </mesh>\n  </object>\n", to: &out)
        }
        append(" </resources>\n <build>\n", to: &out)
        for k in objects.indices {
            append("  <item objectid=\"", to: &out)
            DecimalNumber.appendInteger(k + 1, to: &out)
            append("\"/>\n", to: &out)
        }
        append(" </build>\n</model>\n", to: &out)
    }

    @inline(__always)
    static func number(_ v: Float, to out: inout [UInt8]) {
        if !v.isFinite { out.append(48); return }
        // Whole numbers (common on grid-built parts) skip the shortest-digits search.
        if v == v.rounded(), v.magnitude < 1e7 {
            if v < 0 { out.append(45) }
            appendIndex(UInt32(v.magnitude), to: &out)
            return
        }
        DecimalNumber.append(v, to: &out)
    }

    /// Decimal digits of `n`, without allocating.
    @inline(__always)
    static func appendIndex(_ n: UInt32, to out: inout [UInt8]) {
        if n < 10 { out.append(UInt8(48 + n)); return }
        var digits: UInt64 = 0  // up to 8 digits, one per byte, least significant first
        var m = n, count = 0
        while m > 0 && count < 8 { digits |= UInt64(48 + m % 10) << (8 * UInt64(count)); m /= 10; count += 1 }
        if m > 0 { appendIndex(m, to: &out) }  // n ≥ 10^8: the leading digits first
        var k = count - 1
        while k >= 0 { out.append(UInt8(truncatingIfNeeded: digits >> (8 * UInt64(k)))); k -= 1 }
    }

    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case 38: append("&amp;", to: &out)
            case 60: append("&lt;", to: &out)
            case 62: append("&gt;", to: &out)
            case 34: append("&quot;", to: &out)
            case 9, 10, 13:
                out.append(contentsOf: [38, 35, 48 + b / 10, 48 + b % 10, 59])  // &#09; &#10; &#13;
            default:
                if b >= 0x20 { out.append(b) }  // other control characters are not allowed in XML 1.0
            }
        }
    }

    @inline(__always)
    static func append(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func append16(_ v: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8))
    }

    static func append32(_ v: UInt32, to out: inout [UInt8]) {
        append16(UInt16(v & 0xFFFF), to: &out); append16(UInt16(v >> 16), to: &out)
    }

    static func put32(_ v: UInt32, at offset: Int, in out: inout [UInt8]) {
        for k in 0..<4 { out[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    static let contentTypes: StaticString = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>\
        </Types>

        """

    static let relationships: StaticString = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>\
        </Relationships>

        """
}
