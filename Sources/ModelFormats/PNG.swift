import MeshCore
import MeshIO
import MeshRender

/// A PNG file that could not be decoded; `message` says what was wrong and where.
public struct PNGError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// PNG encoding of `RGBAImage`s (8-bit RGBA, our own deflate) and decoding of 8-bit
/// RGB/RGBA non-interlaced PNGs, with no dependency beyond the standard library.
public enum PNG {
    /// Largest width or height `decode` accepts, so a header cannot make us allocate
    /// memory for pixels the file does not hold.
    public static let maxSide = 8192

    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// The image as a PNG file: 8 bits per channel, colour type 2 (RGB) when every pixel is
    /// opaque (a quarter less to filter, compress and store) and 6 (RGBA) otherwise; per-row
    /// Sub/Up filter; one zlib stream compressed with LZ77 and fixed Huffman codes.
    ///
    /// Big images are filtered and compressed in pieces of whole rows (the piece count
    /// depends only on the image size, so the bytes are the same for any `runner`), which
    /// `runner` may spread over cores; the Adler-32 checksums of the pieces are combined.
    public static func encode(_ image: RGBAImage, runner: JobRunner = .serial) -> [UInt8] {
        let width = image.width, height = image.height
        let channels = isOpaque(image) ? 3 : 4
        let rowBytes = width * channels + 1
        let rowsPerPiece = Swift.max(1, (131_072 + rowBytes - 1) / rowBytes)
        let pieces = Swift.max(1, (height + rowsPerPiece - 1) / rowsPerPiece)
        // Each piece's deflate output; a job filters its piece's rows (one filter-type byte,
        // then the row) into a scratch buffer of its own, which stays in cache.
        let pieceBytes = rowsPerPiece * rowBytes
        let pieceBound = Deflate.bound(pieceBytes)
        let work = UnsafeMutablePointer<UInt8>.allocate(capacity: pieces * pieceBound)
        defer { work.deallocate() }
        var sizes = [Int](repeating: 0, count: pieces)
        var sums = [UInt32](repeating: 1, count: pieces)
        image.pixels.withUnsafeBufferPointer { px in
            sizes.withUnsafeMutableBufferPointer { sizes in
                sums.withUnsafeMutableBufferPointer { sums in
                    runner.run(Swift.min(runner.width, pieces)) { j in
                        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: pieceBytes)
                        // Two packed RGB rows (this one and the one above) for `channels == 3`.
                        let packed = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * (width * 3 + 1))
                        defer { scratch.deallocate(); packed.deallocate() }
                        var p = j
                        while p < pieces {
                            let rows = p * rowsPerPiece..<Swift.min(height, (p + 1) * rowsPerPiece)
                            if channels == 4 {
                                filterRows(px, scratch, width: width, rows: rows)
                            } else {
                                filterRGBRows(px, scratch, width: width, rows: rows, packed: packed)
                            }
                            let piece = UnsafeRawBufferPointer(start: scratch, count: rows.count * rowBytes)
                            sizes[p] = Deflate.deflateFixed(piece, final: p == pieces - 1, into: work + p * pieceBound)
                            sums[p] = Adler32.checksum(UnsafeBufferPointer(start: scratch, count: rows.count * rowBytes))
                            p += runner.width
                        }
                    }
                }
            }
        }
        var idat = [UInt8](repeating: 0, count: 2 + sizes.reduce(0, +) + 4)
        idat.withUnsafeMutableBufferPointer { dst in
            let d = dst.baseAddress!
            d[0] = 0x78; d[1] = 0x01
            var o = 2
            var adler: UInt32 = 1
            for p in 0..<pieces {
                (d + o).update(from: work + p * pieceBound, count: sizes[p])
                o += sizes[p]
                let rows = Swift.min(height, (p + 1) * rowsPerPiece) - p * rowsPerPiece
                adler = Adler32.combine(adler, sums[p], length: rows * rowBytes)
            }
            Deflate.putBigEndian(adler, d + o)
        }
        var out: [UInt8] = []
        out.reserveCapacity(idat.count + 64)
        out.append(contentsOf: signature)
        var ihdr: [UInt8] = []
        appendBigEndian(&ihdr, UInt32(width))
        appendBigEndian(&ihdr, UInt32(height))
        ihdr.append(contentsOf: [8, channels == 3 ? 2 : 6, 0, 0, 0])
        appendChunk(&out, "IHDR", ihdr)
        appendChunk(&out, "IDAT", idat)
        appendChunk(&out, "IEND", [])
        return out
    }

    /// Whether every pixel has alpha 255.
    static func isOpaque(_ image: RGBAImage) -> Bool {
        image.pixels.withUnsafeBytes { raw in
            let words = raw.count / 4
            var all: UInt32 = 0xFF00_0000
            // Whole-word ANDs, so the loop vectorizes; the RGBA bytes are little-endian words.
            for i in 0..<words { all &= raw.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self) }
            return all & 0xFF00_0000 == 0xFF00_0000
        }
    }

    /// Picks Sub or Up per row, whichever leaves the smaller sum of byte magnitudes
    /// (a cheap form of libpng's heuristic; the background becomes runs of zeros).
    /// Filters pixel rows `rows` of `px` into `dst` (`width * 4 + 1` bytes per row, the first
    /// of `rows` first).
    static func filterRows(
        _ px: UnsafeBufferPointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, width: Int, rows: Range<Int>
    ) {
        guard width > 0, let src = px.baseAddress else { return }
        for y in rows {
            let cur = src + y * width * 4
            filterRow(cur, above: y > 0 ? cur - width * 4 : nil, into: dst + (y - rows.lowerBound) * (width * 4 + 1),
                      length: width * 4, pixelBytes: 4)
        }
    }

    /// `filterRows` for opaque images written as RGB: each row is packed to 3 bytes a pixel
    /// first (`packed` holds two rows of `width * 3 + 1` bytes, this one and the one above),
    /// then filtered into `width * 3 + 1` bytes.
    static func filterRGBRows(
        _ px: UnsafeBufferPointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, width: Int, rows: Range<Int>,
        packed: UnsafeMutablePointer<UInt8>
    ) {
        guard width > 0, let src = px.baseAddress else { return }
        let stride = width * 3
        // Whole 4-byte pixels stored 3 bytes apart, each overwriting the previous one's alpha:
        // a row needs one byte of slack, so rows sit `stride + 1` apart.
        @inline(__always) func pack(_ y: Int, into row: UnsafeMutablePointer<UInt8>) {
            let from = UnsafeRawPointer(src + y * width * 4), to = UnsafeMutableRawPointer(row)
            for x in 0..<width {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: 4 &* x, as: UInt32.self), toByteOffset: 3 &* x, as: UInt32.self)
            }
        }
        var cur = packed, above = packed + stride + 1
        if rows.lowerBound > 0 { pack(rows.lowerBound - 1, into: above) }
        for y in rows {
            pack(y, into: cur)
            filterRow(cur, above: y > 0 ? above : nil, into: dst + (y - rows.lowerBound) * (stride + 1),
                      length: stride, pixelBytes: 3)
            swap(&cur, &above)
        }
    }

    /// Writes the filter-type byte and the filtered bytes of one row of `length` bytes:
    /// Up when it leaves a smaller sum of byte magnitudes than Sub (or Sub on the first row).
    @inline(__always)
    static func filterRow(
        _ cur: UnsafePointer<UInt8>, above up: UnsafePointer<UInt8>?, into row: UnsafeMutablePointer<UInt8>,
        length: Int, pixelBytes bpp: Int
    ) {
        // Wrapping arithmetic and raw pointers keep these loops free of overflow checks,
        // so the compiler vectorizes them.
        @inline(__always) func magnitude(_ d: UInt8) -> UInt32 { UInt32(Swift.min(d, 0 &- d)) }
        let o = row + 1
        var sumUp: UInt32 = 0, sumSub: UInt32 = 0
        if let up {
            for i in 0..<length { sumUp &+= magnitude(cur[i] &- up[i]) }
            for i in bpp..<Swift.max(length, bpp) { sumSub &+= magnitude(cur[i] &- cur[i &- bpp]) }
        }
        if let up, sumUp <= sumSub {
            row[0] = 2
            for i in 0..<length { o[i] = cur[i] &- up[i] }
        } else {
            row[0] = 1
            for i in 0..<Swift.min(bpp, length) { o[i] = cur[i] }
            for i in bpp..<Swift.max(length, bpp) { o[i] = cur[i] &- cur[i &- bpp] }
        }
    }

    /// Decodes an 8-bit RGB (colour type 2) or RGBA (6), non-interlaced PNG. RGB pixels
    /// get alpha 255. Checks chunk CRCs and the zlib checksum.
    public static func decode(_ bytes: [UInt8]) throws(PNGError) -> RGBAImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw PNGError("not a PNG file: the 8-byte PNG signature is missing")
        }
        var pos = 8
        var width = 0, height = 0, channels = 0
        var sawHeader = false, sawEnd = false
        var compressed: [UInt8] = []
        while pos < bytes.count {
            guard pos + 12 <= bytes.count else {
                throw PNGError("PNG truncated: chunk at byte \(pos) needs 12 bytes but only \(bytes.count - pos) remain")
            }
            let length = Int(readBigEndian(bytes, pos))
            let typeBytes = Array(bytes[(pos + 4)..<(pos + 8)])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= bytes.count - pos - 12 else {
                throw PNGError("PNG truncated: chunk \(type) at byte \(pos) claims \(length) bytes but only \(bytes.count - pos - 12) remain")
            }
            let dataStart = pos + 8
            let crcStored = readBigEndian(bytes, dataStart + length)
            let crc = CRC32.checksum(bytes, from: pos + 4, to: dataStart + length)
            guard crc == crcStored else { throw PNGError("PNG chunk \(type) at byte \(pos) has a bad CRC") }
            switch type {
            case "IHDR":
                guard length == 13 else { throw PNGError("PNG IHDR chunk is \(length) bytes, expected 13") }
                width = Int(readBigEndian(bytes, dataStart))
                height = Int(readBigEndian(bytes, dataStart + 4))
                let depth = bytes[dataStart + 8], colorType = bytes[dataStart + 9]
                let compression = bytes[dataStart + 10], filter = bytes[dataStart + 11], interlace = bytes[dataStart + 12]
                guard width > 0, height > 0 else { throw PNGError("PNG has an empty size \(width)x\(height)") }
                guard width <= maxSide, height <= maxSide else {
                    throw PNGError("PNG is \(width)x\(height); the largest accepted side is \(maxSide)")
                }
                guard depth == 8 else { throw PNGError("PNG bit depth \(depth) is not supported (only 8)") }
                switch colorType {
                case 2: channels = 3
                case 6: channels = 4
                case 0: throw PNGError("PNG colour type 0 (greyscale) is not supported (only RGB and RGBA)")
                case 3: throw PNGError("PNG colour type 3 (palette) is not supported (only RGB and RGBA)")
                case 4: throw PNGError("PNG colour type 4 (greyscale+alpha) is not supported (only RGB and RGBA)")
                default: throw PNGError("PNG colour type \(colorType) is invalid")
                }
                guard compression == 0, filter == 0 else { throw PNGError("PNG uses an unknown compression or filter method") }
                guard interlace == 0 else { throw PNGError("interlaced PNGs are not supported") }
                sawHeader = true
            case "IDAT":
                guard sawHeader else { throw PNGError("PNG has image data before its IHDR header") }
                compressed.append(contentsOf: bytes[dataStart..<(dataStart + length)])
            case "IEND":
                sawEnd = true
            default:
                // Ancillary chunks (lowercase first letter) may be skipped; critical ones may not.
                if typeBytes[0] & 0x20 == 0 {
                    throw PNGError("PNG has an unsupported critical chunk \(type)")
                }
            }
            pos = dataStart + length + 4
            if sawEnd { break }
        }
        guard sawHeader else { throw PNGError("PNG has no IHDR header") }
        guard !compressed.isEmpty else { throw PNGError("PNG has no image data (IDAT)") }
        let stride = width * channels
        let expected = height * (stride + 1)
        let raw: [UInt8]
        do {
            raw = try Inflate.zlibDecompress(compressed, limit: expected)
        } catch {
            throw PNGError("PNG image data: \(error.message)")
        }
        guard raw.count == expected else {
            throw PNGError("PNG image data holds \(raw.count) bytes, expected \(expected) for \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        var prev = [UInt8](repeating: 0, count: stride)
        var cur = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let o = y * (stride + 1)
            let filter = raw[o]
            for i in 0..<stride { cur[i] = raw[o + 1 + i] }
            switch filter {
            case 0: break
            case 1:
                for i in channels..<Swift.max(stride, channels) where i < stride { cur[i] = cur[i] &+ cur[i - channels] }
            case 2:
                for i in 0..<stride { cur[i] = cur[i] &+ prev[i] }
            case 3:
                for i in 0..<stride {
                    let left = i >= channels ? Int(cur[i - channels]) : 0
                    cur[i] = cur[i] &+ UInt8((left + Int(prev[i])) / 2)
                }
            case 4:
                for i in 0..<stride {
                    let a = i >= channels ? Int(cur[i - channels]) : 0
                    let b = Int(prev[i])
                    let c = i >= channels ? Int(prev[i - channels]) : 0
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    let pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                    cur[i] = cur[i] &+ UInt8(pred)
                }
            default:
                throw PNGError("PNG row \(y) has unknown filter type \(filter)")
            }
            let row = y * width * 4
            if channels == 4 {
                for i in 0..<stride { pixels[row + i] = cur[i] }
            } else {
                for x in 0..<width {
                    pixels[row + 4 * x] = cur[3 * x]
                    pixels[row + 4 * x + 1] = cur[3 * x + 1]
                    pixels[row + 4 * x + 2] = cur[3 * x + 2]
                }
            }
            swap(&prev, &cur)
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    static func appendBigEndian(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v >> 24)); out.append(UInt8((v >> 16) & 0xFF))
        out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8(v & 0xFF))
    }

    static func readBigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func appendChunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        appendBigEndian(&out, UInt32(data.count))
        let start = out.count
        out.append(contentsOf: Array(type.utf8))
        out.append(contentsOf: data)
        let crc = CRC32.checksum(out, from: start, to: out.count)
        appendBigEndian(&out, crc)
    }
}

extension CRC32 {
    /// CRC of `bytes[from..<to]` (MeshIO's slice-by-8 CRC: the IDAT's CRC is serial work
    /// after the parallel compression, and byte-at-a-time it cost ~0.5 ms of a thumbnail).
    static func checksum(_ bytes: [UInt8], from: Int, to: Int) -> UInt32 {
        bytes.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[from..<to])) }
    }
}

/// Adler-32 (zlib's trailer checksum).
enum Adler32 {
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        let n = bytes.count
        while i < n {
            // 5552 is the most bytes that cannot overflow 32-bit sums before the modulo.
            let end = Swift.min(i + 5552, n)
            while i < end {
                a &+= UInt32(bytes[i])
                b &+= a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    /// The checksum of A followed by B, from A's and B's checksums and B's length (as zlib's
    /// `adler32_combine`).
    static func combine(_ a: UInt32, _ b: UInt32, length: Int) -> UInt32 {
        let base: UInt32 = 65521
        let rem = UInt32(length % Int(base))
        var sum1 = a & 0xFFFF
        var sum2 = UInt32((UInt64(rem) * UInt64(sum1)) % UInt64(base))
        sum1 += (b & 0xFFFF) + base - 1
        sum2 += (a >> 16) + (b >> 16) + base - rem
        if sum1 >= base { sum1 -= base }
        if sum1 >= base { sum1 -= base }
        if sum2 >= base << 1 { sum2 -= base << 1 }
        if sum2 >= base { sum2 -= base }
        return sum1 | sum2 << 16
    }
}
