import MeshCore

extension MeshRenderer {
    /// Turns `layers` sample buffers (consecutive in `samples`, each `factor`²× the image)
    /// into the image. Layers are merged in order, a later one winning only with a strictly
    /// nearer depth key, which is exactly what drawing all triangles into one buffer gives.
    static func resolve(
        samples: UnsafeMutableBufferPointer<UInt32>, layers: Int, target: Target,
        palette: [UInt8], background bg: RGBAColor, runner: JobRunner
    ) -> RGBAImage {
        let width = target.width, height = target.height, factor = target.factor
        let rw = target.sampleWidth, layerSize = rw * target.sampleHeight
        let tables = ResolveTables(palette: palette, background: bg, factor: factor)
        let jobs = Swift.max(1, Swift.min(runner.width, height / 16))
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { out, count in
            runner.run(jobs) { j in
                let rows = slice(j, of: jobs, count: height)
                guard !rows.isEmpty, let s = samples.baseAddress, let o = out.baseAddress else { return }
                if layers > 1 {
                    mergeLayers(s, layers: layers, layerSize: layerSize,
                                range: rows.lowerBound * factor * rw..<rows.upperBound * factor * rw)
                }
                tables.resolve(s + rows.lowerBound * factor * rw, rows: rows, width: width, factor: factor, out: o)
            }
            count = width * height * 4
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    /// Folds layers 1… into layer 0 over `range` (sample indices).
    static func mergeLayers(_ s: UnsafeMutablePointer<UInt32>, layers: Int, layerSize: Int, range: Range<Int>) {
        for l in 1..<layers {
            let src = s + l * layerSize
            for i in range {
                let v = src[i]
                if v & 0xFFFF_FF00 > s[i] & 0xFFFF_FF00 { s[i] = v }
            }
        }
    }

    /// (`s` holds the samples of pixel rows `rows`, starting with the first.)
    /// Averages each `factor`×`factor` block of samples into one pixel. Shade (low byte) 0 means no
    /// surface and takes the background; colours are averaged premultiplied, so a
    /// transparent background gives anti-aliased alpha edges.
    static func resolveGeneral(
        _ s: UnsafeMutablePointer<UInt32>, rows: Range<Int>, width: Int, factor: Int,
        premultiplied pre: UnsafeBufferPointer<UInt32>, out: UnsafeMutablePointer<UInt8>
    ) {
        let n = UInt32(factor * factor)
        let rw = width * factor
        for y in rows {
            for x in 0..<width {
                var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0, a: UInt32 = 0
                for sy in 0..<factor {
                    let row = ((y - rows.lowerBound) * factor + sy) * rw + x * factor
                    for sx in 0..<factor {
                        let e = Int(s[row + sx] & 0xFF) &* 4
                        r &+= pre[e]; g &+= pre[e + 1]; b &+= pre[e + 2]; a &+= pre[e + 3]
                    }
                }
                let o = (y * width + x) * 4
                if a == 0 {
                    out[o] = 0; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0
                } else {
                    let half = a / 2
                    out[o] = UInt8(truncatingIfNeeded: Swift.min((r + half) / a, 255))
                    out[o + 1] = UInt8(truncatingIfNeeded: Swift.min((g + half) / a, 255))
                    out[o + 2] = UInt8(truncatingIfNeeded: Swift.min((b + half) / a, 255))
                    out[o + 3] = UInt8(truncatingIfNeeded: (a + n / 2) / n)
                }
            }
        }
    }

    /// (`s` holds the samples of pixel rows `rows`, starting with the first.)
    /// The common case, 2×2 samples on an opaque background: every sample is opaque, so
    /// the pixel is the plain mean of four packed colours.
    static func resolveOpaque2x2(
        _ s: UnsafeMutablePointer<UInt32>, rows: Range<Int>, width: Int,
        palette pal: UnsafeBufferPointer<UInt32>, out: UnsafeMutablePointer<UInt8>
    ) {
        let rw = width * 2
        // Background (palette entry 0) as one little-endian RGBA word, for the common
        // all-background pixel.
        let p0 = pal[0]
        let bg = (p0 & 0x3FF) | ((p0 >> 10) & 0x3FF) << 8 | ((p0 >> 20) & 0x3FF) << 16 | 0xFF00_0000
        let words = UnsafeMutableRawPointer(out)
        for y in rows {
            let r0 = s + 2 * (y - rows.lowerBound) * rw, r1 = r0 + rw
            var o = y * width * 4
            for x in 0..<width {
                let a = r0[2 &* x], b = r0[2 &* x &+ 1], c = r1[2 &* x], d = r1[2 &* x &+ 1]
                var word = bg
                if (a | b | c | d) & 0xFF != 0 {
                    let sum = pal[Int(a & 0xFF)] &+ pal[Int(b & 0xFF)] &+ pal[Int(c & 0xFF)] &+ pal[Int(d & 0xFF)] &+ 0x0020_0802
                    word = (sum >> 2) & 0xFF | ((sum >> 12) & 0xFF) << 8 | ((sum >> 22) & 0xFF) << 16 | 0xFF00_0000
                }
                words.storeBytes(of: word.littleEndian, toByteOffset: o, as: UInt32.self)
                o &+= 4
            }
        }
    }
}

/// Colour tables for turning palette-indexed samples into pixels.
struct ResolveTables {
    /// Premultiplied (colour × alpha) RGBA per palette index, entry 0 the background.
    var pre: [UInt32]
    /// Opaque colours packed as three 10-bit fields, so four add in one UInt32.
    var packed: [UInt32]
    var opaque2x2: Bool

    init(palette: [UInt8], background bg: RGBAColor, factor: Int) {
        pre = [UInt32](repeating: 0, count: 256 * 4)
        packed = [UInt32](repeating: 0, count: 256)
        let a = UInt32(bg.a)
        pre[0] = UInt32(bg.r) * a; pre[1] = UInt32(bg.g) * a; pre[2] = UInt32(bg.b) * a; pre[3] = a
        packed[0] = UInt32(bg.r) | UInt32(bg.g) << 10 | UInt32(bg.b) << 20
        for i in 1..<256 {
            let r = UInt32(palette[3 * i]), g = UInt32(palette[3 * i + 1]), b = UInt32(palette[3 * i + 2])
            pre[4 * i] = r * 255; pre[4 * i + 1] = g * 255; pre[4 * i + 2] = b * 255; pre[4 * i + 3] = 255
            packed[i] = r | g << 10 | b << 20
        }
        opaque2x2 = factor == 2 && bg.a == 255
    }

    /// Resolves pixel rows `rows` from `s`, which holds their samples starting with the first.
    func resolve(_ s: UnsafeMutablePointer<UInt32>, rows: Range<Int>, width: Int, factor: Int, out: UnsafeMutablePointer<UInt8>) {
        if opaque2x2 {
            packed.withUnsafeBufferPointer { MeshRenderer.resolveOpaque2x2(s, rows: rows, width: width, palette: $0, out: out) }
        } else {
            pre.withUnsafeBufferPointer {
                MeshRenderer.resolveGeneral(s, rows: rows, width: width, factor: factor, premultiplied: $0, out: out)
            }
        }
    }
}
