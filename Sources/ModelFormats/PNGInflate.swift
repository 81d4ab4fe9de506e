/// A compact inflater (RFC 1950/1951: stored, fixed and dynamic Huffman blocks) in
/// the manner of zlib's `puff`: small and strict rather than fast, for logos and tests.
enum Inflate {
    struct Huffman {
        var count = [Int](repeating: 0, count: 16)
        var symbol: [Int]

        /// Canonical code from code lengths; throws when over-subscribed.
        init(lengths: ArraySlice<Int>) throws(PNGError) {
            symbol = [Int](repeating: 0, count: lengths.count)
            for l in lengths { count[l] += 1 }
            var left = 1
            for len in 1..<16 {
                left <<= 1
                left -= count[len]
                if left < 0 { throw PNGError("deflate Huffman code is over-subscribed") }
            }
            var offs = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offs[len + 1] = offs[len] + count[len] }
            var s = 0
            for l in lengths {
                if l != 0 {
                    symbol[offs[l]] = s
                    offs[l] += 1
                }
                s += 1
            }
        }
    }

    struct State {
        let input: [UInt8]
        var pos: Int
        var bitBuffer: UInt32 = 0
        var bitCount: UInt32 = 0
        var out: [UInt8] = []
        let limit: Int

        mutating func bits(_ need: UInt32) throws(PNGError) -> Int {
            var buf = bitBuffer
            while bitCount < need {
                guard pos < input.count else { throw PNGError("compressed data ends early") }
                buf |= UInt32(input[pos]) << bitCount
                pos += 1
                bitCount += 8
            }
            bitBuffer = need == 32 ? 0 : buf >> need
            bitCount -= need
            return Int(buf & ((1 << need) &- 1))
        }

        mutating func decode(_ h: Huffman) throws(PNGError) -> Int {
            var code = 0, first = 0, index = 0
            for len in 1..<16 {
                code |= try bits(1)
                let count = h.count[len]
                if code - count < first { return h.symbol[index + (code - first)] }
                index += count
                first += count
                first <<= 1
                code <<= 1
            }
            throw PNGError("deflate data has an invalid Huffman code")
        }

        mutating func emit(_ byte: UInt8) throws(PNGError) {
            guard out.count < limit else { throw PNGError("data expands past the expected \(limit) bytes") }
            out.append(byte)
        }
    }

    static let lengthBase = Deflate.lengthBase
    static let lengthExtra = Deflate.lengthExtra
    static let distanceBase = Deflate.distanceBase
    static let distanceExtra = Deflate.distanceExtra

    /// Inflates a zlib stream, refusing to produce more than `limit` bytes.
    static func zlibDecompress(_ data: [UInt8], limit: Int) throws(PNGError) -> [UInt8] {
        guard data.count >= 6 else { throw PNGError("zlib stream is only \(data.count) bytes") }
        let cmf = Int(data[0]), flg = Int(data[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf * 256 + flg) % 31 == 0 else {
            throw PNGError("bad zlib header")
        }
        guard flg & 0x20 == 0 else { throw PNGError("zlib preset dictionaries are not supported") }
        var s = State(input: data, pos: 2, limit: limit)
        s.out.reserveCapacity(Swift.min(limit, 1 << 26))
        var last = 0
        repeat {
            last = try s.bits(1)
            let type = try s.bits(2)
            switch type {
            case 0: try stored(&s)
            case 1: try codes(&s, fixedTables.0, fixedTables.1)
            case 2:
                let (l, d) = try dynamicTables(&s)
                try codes(&s, l, d)
            default: throw PNGError("deflate block type 3 is invalid")
            }
        } while last == 0
        guard s.pos + 4 <= data.count else { throw PNGError("zlib stream lacks its Adler-32 checksum") }
        let stored = UInt32(data[s.pos]) << 24 | UInt32(data[s.pos + 1]) << 16 | UInt32(data[s.pos + 2]) << 8 | UInt32(data[s.pos + 3])
        let actual = s.out.withUnsafeBufferPointer { Adler32.checksum($0) }
        guard stored == actual else { throw PNGError("zlib Adler-32 checksum mismatch") }
        return s.out
    }

    static func stored(_ s: inout State) throws(PNGError) {
        s.bitBuffer = 0
        s.bitCount = 0
        guard s.pos + 4 <= s.input.count else { throw PNGError("compressed data ends early") }
        let len = Int(s.input[s.pos]) | Int(s.input[s.pos + 1]) << 8
        let nlen = Int(s.input[s.pos + 2]) | Int(s.input[s.pos + 3]) << 8
        guard len == (~nlen & 0xFFFF) else { throw PNGError("stored deflate block has a bad length") }
        s.pos += 4
        guard s.pos + len <= s.input.count else { throw PNGError("compressed data ends early") }
        guard s.out.count + len <= s.limit else { throw PNGError("data expands past the expected \(s.limit) bytes") }
        s.out.append(contentsOf: s.input[s.pos..<(s.pos + len)])
        s.pos += len
    }

    static let fixedTables: (Huffman, Huffman) = {
        var lengths = [Int](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        let dist = [Int](repeating: 5, count: 30)
        // These tables are valid by construction.
        let l = try! Huffman(lengths: lengths[...])
        let d = try! Huffman(lengths: dist[...])
        return (l, d)
    }()

    static func dynamicTables(_ s: inout State) throws(PNGError) -> (Huffman, Huffman) {
        let nlen = try s.bits(5) + 257, ndist = try s.bits(5) + 1, ncode = try s.bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw PNGError("deflate dynamic block has too many codes") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var lengths = [Int](repeating: 0, count: 320)
        for i in 0..<ncode { lengths[order[i]] = try s.bits(3) }
        let lencode = try Huffman(lengths: lengths[0..<19])
        var index = 0
        while index < nlen + ndist {
            var symbol = try s.decode(lencode)
            if symbol < 16 {
                lengths[index] = symbol
                index += 1
            } else {
                var len = 0
                if symbol == 16 {
                    guard index > 0 else { throw PNGError("deflate repeat with no previous length") }
                    len = lengths[index - 1]
                    symbol = 3 + (try s.bits(2))
                } else if symbol == 17 {
                    symbol = 3 + (try s.bits(3))
                } else {
                    symbol = 11 + (try s.bits(7))
                }
                guard index + symbol <= nlen + ndist else { throw PNGError("deflate code lengths overflow") }
                for _ in 0..<symbol {
                    lengths[index] = len
                    index += 1
                }
            }
        }
        guard lengths[256] != 0 else { throw PNGError("deflate block has no end-of-block code") }
        let l = try Huffman(lengths: lengths[0..<nlen])
        let d = try Huffman(lengths: lengths[nlen..<(nlen + ndist)])
        return (l, d)
    }

    static func codes(_ s: inout State, _ lencode: Huffman, _ distcode: Huffman) throws(PNGError) {
        while true {
            let symbol = try s.decode(lencode)
            if symbol < 256 {
                try s.emit(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let li = symbol - 257
                guard li < 29 else { throw PNGError("deflate length symbol \(symbol) is invalid") }
                let len = lengthBase[li] + (try s.bits(UInt32(lengthExtra[li])))
                let ds = try s.decode(distcode)
                guard ds < 30 else { throw PNGError("deflate distance symbol \(ds) is invalid") }
                let dist = distanceBase[ds] + (try s.bits(UInt32(distanceExtra[ds])))
                guard dist <= s.out.count else { throw PNGError("deflate distance \(dist) reaches before the start") }
                guard s.out.count + len <= s.limit else {
                    throw PNGError("data expands past the expected \(s.limit) bytes")
                }
                var from = s.out.count - dist
                for _ in 0..<len {
                    s.out.append(s.out[from])
                    from += 1
                }
            }
        }
    }
}
