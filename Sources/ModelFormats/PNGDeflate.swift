/// A fast single-pass deflate compressor for PNG: run-length LZ77 (zlib's Z_RLE idea)
/// and the fixed Huffman codes, wrapped as zlib.
/// Rendered images are mostly flat background, which becomes long zero runs after
/// filtering, so this gets most of the gain of a full compressor at a fraction of the cost.
enum Deflate {
    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func reversed(_ code: Int, _ length: Int) -> UInt32 {
        var r: UInt32 = 0
        for i in 0..<length where code & (1 << i) != 0 { r |= 1 << UInt32(length - 1 - i) }
        return r
    }

    /// Fixed-code bits (already reversed for LSB-first output) and bit counts for
    /// literal/length symbols 0…287.
    static let literalCodes: (bits: [UInt32], counts: [UInt8]) = {
        var bits = [UInt32](repeating: 0, count: 288), counts = [UInt8](repeating: 0, count: 288)
        for s in 0..<288 {
            let (code, len): (Int, Int)
            if s < 144 { (code, len) = (0x30 + s, 8) }
            else if s < 256 { (code, len) = (0x190 + s - 144, 9) }
            else if s < 280 { (code, len) = (s - 256, 7) }
            else { (code, len) = (0xC0 + s - 280, 8) }
            bits[s] = reversed(code, len)
            counts[s] = UInt8(len)
        }
        return (bits, counts)
    }()

    /// For each match length 3…258: symbol code plus extra bits, and the total bit count.
    static let lengthCodes: (bits: [UInt32], counts: [UInt8]) = {
        var bits = [UInt32](repeating: 0, count: 259), counts = [UInt8](repeating: 0, count: 259)
        var code = 0
        for len in 3...258 {
            while code + 1 < lengthBase.count && lengthBase[code + 1] <= len { code += 1 }
            let sym = 257 + code
            let huff = literalCodes.bits[sym], hl = Int(literalCodes.counts[sym])
            bits[len] = huff | UInt32(len - lengthBase[code]) << UInt32(hl)
            counts[len] = UInt8(hl + lengthExtra[code])
        }
        return (bits, counts)
    }()

    static let distanceCodes: [UInt32] = (0..<30).map { reversed($0, 5) }

    /// `data` as a zlib stream (RFC 1950) holding one fixed-Huffman deflate block.
    static func zlibCompress(_ data: [UInt8]) -> [UInt8] {
        let n = data.count
        var out = [UInt8](repeating: 0, count: bound(n) + 6)
        let o = out.withUnsafeMutableBufferPointer { dst in
            dst[0] = 0x78; dst[1] = 0x01
            var o = 2
            data.withUnsafeBytes { o += deflateFixed($0, final: true, into: dst.baseAddress! + 2) }
            let adler = data.withUnsafeBufferPointer { Adler32.checksum($0) }
            putBigEndian(adler, dst.baseAddress! + o)
            return o + 4
        }
        out.removeSubrange(o...)
        return out
    }

    /// Most bytes `deflateFixed` writes for `n` input bytes (fixed codes spend at most
    /// 9 bits per literal, plus block headers, end codes and padding).
    static func bound(_ n: Int) -> Int { n + n / 8 + 16 }

    static func putBigEndian(_ v: UInt32, _ p: UnsafeMutablePointer<UInt8>) {
        p[0] = UInt8(v >> 24); p[1] = UInt8((v >> 16) & 0xFF); p[2] = UInt8((v >> 8) & 0xFF); p[3] = UInt8(v & 0xFF)
    }

    /// Compresses `src` as one fixed-Huffman block into `dst` (at least `bound(src.count)`
    /// bytes) and returns the bytes written. A non-final piece is closed with an empty
    /// stored block (zlib's sync flush), which ends it on a byte boundary, so pieces
    /// compressed separately (in parallel) concatenate into one valid deflate stream.
    /// Matches never reach before `src`, so each piece stands alone.
    static func deflateFixed(_ src: UnsafeRawBufferPointer, final: Bool, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        let n = src.count
        var o = 0
        let lit = literalCodes, lens = lengthCodes, dcodes = distanceCodes
        var acc: UInt64 = 0
        var bitCount: UInt64 = 0
        @inline(__always) func put(_ bits: UInt32, _ count: UInt8) {
            acc |= UInt64(bits) << bitCount
            bitCount += UInt64(count)
            if bitCount >= 32 {
                dst[o] = UInt8(truncatingIfNeeded: acc); dst[o + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                dst[o + 2] = UInt8(truncatingIfNeeded: acc >> 16); dst[o + 3] = UInt8(truncatingIfNeeded: acc >> 24)
                o += 4
                acc >>= 32
                bitCount -= 32
            }
        }
        put(final ? 0b011 : 0b010, 3)  // BFINAL, BTYPE = 01 (fixed Huffman)
        lit.bits.withUnsafeBufferPointer { lb in
        lit.counts.withUnsafeBufferPointer { lc in
        lens.bits.withUnsafeBufferPointer { mb in
        lens.counts.withUnsafeBufferPointer { mc in
            // Matches only at distance 1 (byte runs: filtered background is all
            // zeros) and 4 (repeated pixels), like zlib's Z_RLE strategy: no hash
            // table, one compare per literal.
            var i = 0
            while i + 4 <= n {
                let word = src.loadUnaligned(fromByteOffset: i, as: UInt32.self)
                var dist = 0
                if i >= 1 && src.loadUnaligned(fromByteOffset: i - 1, as: UInt32.self) == word {
                    dist = 1
                } else if i >= 4 && src.loadUnaligned(fromByteOffset: i - 4, as: UInt32.self) == word {
                    dist = 4
                }
                if dist != 0 {
                    let cand = i - dist
                    var len = 4
                    let maxLen = Swift.min(258, n - i)
                    while len + 8 <= maxLen {
                        let x = src.loadUnaligned(fromByteOffset: i + len, as: UInt64.self)
                            ^ src.loadUnaligned(fromByteOffset: cand + len, as: UInt64.self)
                        if x != 0 {
                            len += x.trailingZeroBitCount / 8
                            break
                        }
                        len += 8
                    }
                    if len + 8 > maxLen {
                        while len < maxLen && src[i + len] == src[cand + len] { len += 1 }
                    }
                    if len > maxLen { len = maxLen }
                    put(mb[len], mc[len])
                    // Distance codes 0 and 3 are distances 1 and 4 exactly (no extra bits).
                    let dc = dist == 1 ? 0 : 3
                    put(dcodes[dc], 5)
                    i += len
                } else {
                    let b = Int(src[i])
                    put(lb[b], lc[b])
                    i += 1
                }
            }
            while i < n {
                let b = Int(src[i])
                put(lb[b], lc[b])
                i += 1
            }
        }
        }
        }
        }
        put(lit.bits[256], lit.counts[256])
        if !final { put(0, 3) }  // BFINAL = 0, BTYPE = 00 (stored), then pad, LEN 0, NLEN FFFF
        while bitCount > 0 {
            dst[o] = UInt8(truncatingIfNeeded: acc)
            o += 1
            acc >>= 8
            bitCount = bitCount >= 8 ? bitCount - 8 : 0
        }
        if !final {
            dst[o] = 0; dst[o + 1] = 0; dst[o + 2] = 0xFF; dst[o + 3] = 0xFF
            o += 4
        }
        return o
    }
}
