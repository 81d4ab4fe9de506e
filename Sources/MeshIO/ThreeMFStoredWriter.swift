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
        for o in objects { estimate += o.mesh.vertexCount * 56 + o.mesh.triangleCount * 52 + 160 }
        // Room for one more block (see `chunks`) so the last block does not reallocate.
        estimate += 4096 * 120
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

    /// Just the `3D/3dmodel.model` XML (unit millimetre, one object and build item per mesh),
    /// for writers that package it themselves (e.g. with deflate).
    public static func modelXML(objects: [(name: String, mesh: TriangleMesh)]) -> [UInt8] {
        var out: [UInt8] = []
        var estimate = 2048 + 4096 * 120
        for o in objects { estimate += o.mesh.vertexCount * 56 + o.mesh.triangleCount * 52 + 160 }
        out.reserveCapacity(estimate)
        model(objects, to: &out)
        return out
    }

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
                let count = p.count / 3
                chunks(count, bytesPerItem: 120, into: &out) { v, line, n0 in
                    let i = 3 * v
                    var n = put("<vertex x=\"", line, n0)
                    n = number(p[i], line, n)
                    n = put("\" y=\"", line, n)
                    n = number(p[i + 1], line, n)
                    n = put("\" z=\"", line, n)
                    n = number(p[i + 2], line, n)
                    return put("\"/>\n", line, n)
                }
            }
            append("    </vertices>\n    <triangles>\n", to: &out)
            let vertexCount = UInt32(truncatingIfNeeded: mesh.vertexCount)
            mesh.indices.withUnsafeBufferPointer { t in
                chunks(t.count / 3, bytesPerItem: 80, into: &out) { k, line, n0 in
                    let i = 3 * k
                    // An index past the vertices would make the file invalid; 0 keeps it readable.
                    let a = t[i] < vertexCount ? t[i] : 0, b = t[i + 1] < vertexCount ? t[i + 1] : 0
                    let c = t[i + 2] < vertexCount ? t[i + 2] : 0
                    var n = put("<triangle v1=\"", line, n0)
                    n = integer(UInt64(a), line, n)
                    n = put("\" v2=\"", line, n)
                    n = integer(UInt64(b), line, n)
                    n = put("\" v3=\"", line, n)
                    n = integer(UInt64(c), line, n)
                    return put("\"/>\n", line, n)
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

    /// Appends `count` items, `write(item, base, offset) -> end` writing at most
    /// `bytesPerItem` bytes each, straight into the array's storage: room for a block of
    /// items is appended (zeroed), filled, and the unused tail dropped, so memory stays at
    /// the real size plus one block, with no per-item append.
    @inline(__always)
    static func chunks(
        _ count: Int, bytesPerItem: Int, into out: inout [UInt8],
        _ write: (Int, UnsafeMutablePointer<UInt8>, Int) -> Int
    ) {
        let block = 4096
        var item = 0
        while item < count {
            let end = min(count, item + block)
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: (end - item) * bytesPerItem))
            let used = out.withUnsafeMutableBufferPointer { buffer -> Int in
                let base = buffer.baseAddress!
                var n = start
                for i in item..<end { n = write(i, base, n) }
                return n
            }
            out.removeLast(out.count - used)
            item = end
        }
    }

    @inline(__always)
    static func put(_ s: StaticString, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
        (p + n).update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return n + s.utf8CodeUnitCount
    }

    /// "00" … "99": two digits per step halves the work of printing indices.
    static let digitPairs: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 200)
        for i in 0..<100 { t[2 * i] = UInt8(48 + i / 10); t[2 * i + 1] = UInt8(48 + i % 10) }
        return t
    }()

    /// Writes the decimal digits of `v` at `p + n`; returns the new end.
    @inline(__always)
    static func integer(_ v: UInt64, _ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
        var digits = 1
        var t = v
        while t >= 100 { t /= 100; digits += 2 }
        if t >= 10 { digits += 1 }
        var m = v
        var k = n + digits
        digitPairs.withUnsafeBufferPointer { pairs in
            while m >= 100 {
                let r = Int(m % 100)
                m /= 100
                k -= 2
                p[k] = pairs[2 * r]; p[k + 1] = pairs[2 * r + 1]
            }
            if m >= 10 {
                p[k - 2] = pairs[2 * Int(m)]; p[k - 1] = pairs[2 * Int(m) + 1]
            } else {
                p[k - 1] = UInt8(truncatingIfNeeded: 48 + m)
            }
        }
        return n + digits
    }

    /// Writes the shortest decimal that reads back as exactly `value` (the digits
    /// `DecimalNumber.append` chooses, found the same way, rendered without per-digit
    /// division loops); non-finite values as 0. Returns the new end.
    @inline(__always)
    static func number(_ value: Float, _ p: UnsafeMutablePointer<UInt8>, _ start: Int) -> Int {
        guard value.isFinite, value != 0 else { p[start] = 48; return start + 1 }
        var n = start
        if value < 0 { p[n] = 45; n += 1 }
        let magnitude = value.magnitude
        // Whole numbers below 2^24 are exact and already shortest: no digit search.
        if magnitude < 16_777_216, magnitude == magnitude.rounded(.towardZero) { return integer(UInt64(magnitude), p, n) }
        let d = Double(magnitude)
        var e = Int((Double(Int(magnitude.exponent)) * 0.30102999566398119).rounded(.down))
        while DecimalNumber.double(mantissa: 1, exponent: e) > d { e -= 1 }
        while DecimalNumber.double(mantissa: 1, exponent: e + 1) <= d { e += 1 }
        // If p digits read back, so do p + 1 (the nearest (p+1)-digit decimal is at least as
        // close), so the shortest of 6…9 is found with two tries instead of up to four.
        @inline(__always)
        func attempt(_ precision: Int) -> (digits: UInt64, exponent: Int, ok: Bool) {
            let limit = UInt64(DecimalNumber.powersOfTen[precision])
            var m = UInt64(DecimalNumber.scaled(d, by: precision - 1 - e).rounded())
            var e10 = e
            if m >= limit { m /= 10; e10 += 1 }
            return (m, e10, Float(DecimalNumber.double(mantissa: m, exponent: e10 - (precision - 1))) == magnitude)
        }
        var precision = 7
        var best = attempt(7)
        if best.ok {
            let six = attempt(6)
            if six.ok { best = six; precision = 6 }
        } else {
            best = attempt(8)
            precision = 8
            if !best.ok { best = attempt(9); precision = 9 }
        }
        var digits = best.digits
        let exponent = best.exponent
        // digits × 10^(exponent − precision + 1); drop trailing zeros.
        var count = precision  // significant digits in `digits`
        while count > 1 && digits % 10 == 0 { digits /= 10; count -= 1 }
        if exponent >= -5 && exponent < 9 {
            if exponent >= 0 {
                if count <= exponent + 1 {
                    // Whole number with trailing zeros.
                    n = integer(digits, p, n)
                    for _ in 0..<(exponent + 1 - count) { p[n] = 48; n += 1 }
                    return n
                }
                // Integer part, point, fraction: write all digits then open a gap for the point.
                let end = integer(digits, p, n)
                let point = n + exponent + 1
                var k = end
                while k > point { p[k] = p[k - 1]; k -= 1 }
                p[point] = 46
                return end + 1
            }
            p[n] = 48; p[n + 1] = 46; n += 2
            for _ in 0..<(-exponent - 1) { p[n] = 48; n += 1 }
            return integer(digits, p, n)
        }
        // Scientific: d.ddde±XX.
        let end = integer(digits, p, n + 1)
        p[n] = p[n + 1]
        if count > 1 { p[n + 1] = 46; n = end } else { n += 1 }
        p[n] = 101; n += 1
        p[n] = exponent < 0 ? 45 : 43; n += 1
        let a = exponent < 0 ? -exponent : exponent
        if a < 10 { p[n] = 48; n += 1 }
        return integer(UInt64(a), p, n)
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
