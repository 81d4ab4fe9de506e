/// A forward cursor over the bytes of a text mesh format (ASCII STL, OBJ, ASCII PLY).
///
/// Numbers are parsed in place from the bytes (no `String` per token or line), and line
/// numbers are only computed when an error needs one.
struct TextCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int

    init(_ raw: UnsafeRawBufferPointer, from start: Int = 0) {
        bytes = raw.assumingMemoryBound(to: UInt8.self)
        pos = start
    }

    @inline(__always) var atEnd: Bool { pos >= bytes.count }
    @inline(__always) var count: Int { bytes.count }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 32 || (b >= 9 && b <= 13) }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

    /// True when `b` can end a number or keyword: whitespace, or `\` (OBJ line continuation).
    @inline(__always) static func isDelimiter(_ b: UInt8) -> Bool { isSpace(b) || b == 92 }

    /// Skips spaces, tabs and line breaks.
    @inline(__always) mutating func skipWhitespace() {
        while pos < bytes.count && TextCursor.isSpace(bytes[pos]) { pos &+= 1 }
    }

    /// Skips spaces and tabs (and `\` + line break, OBJ's continuation) but stops at a line end.
    @inline(__always) mutating func skipSpaces() {
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 32 || b == 9 || b == 11 || b == 12 {
                pos &+= 1
            } else if b == 92, let next = continuationEnd(pos) {
                pos = next
            } else {
                return
            }
        }
    }

    /// When a `\` at `i` is followed by a line break, the position after that break.
    @inline(__always) func continuationEnd(_ i: Int) -> Int? {
        var j = i + 1
        if j < bytes.count && bytes[j] == 13 { j += 1 }
        if j < bytes.count && bytes[j] == 10 { return j + 1 }
        return j >= bytes.count ? j : nil
    }

    /// True at the end of the bytes or at a line break (after `skipSpaces`).
    @inline(__always) var atLineEnd: Bool {
        pos >= bytes.count || bytes[pos] == 10 || bytes[pos] == 13
    }

    /// Moves past the next line break (or to the end), honouring `\` continuations.
    mutating func skipLine() {
        while pos < bytes.count {
            let b = bytes[pos]
            pos &+= 1
            if b == 10 { return }
            if b == 92, let next = continuationEnd(pos - 1) { pos = next }
        }
    }

    /// Moves past the next line break without treating `\` specially (STL, PLY).
    mutating func skipPlainLine() {
        while pos < bytes.count {
            let b = bytes[pos]
            pos &+= 1
            if b == 10 { return }
        }
    }

    /// Consumes `word` (lowercase ASCII letters) when it appears here in any case and
    /// is followed by a delimiter or the end.
    @inline(__always) mutating func keyword(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count else { return false }
        let w = word.utf8Start
        for i in 0..<n where (bytes[pos + i] | 0x20) != w[i] { return false }
        if pos + n < bytes.count && !TextCursor.isDelimiter(bytes[pos + n]) { return false }
        pos += n
        return true
    }

    /// Parses a decimal number here (sign, digits, point, exponent; `nan`, `inf`, `infinity`
    /// in any case give non-finite values). Nil, with the cursor unmoved, when the token here
    /// is not a number or runs on into other characters.
    mutating func float() -> Float? {
        var p = pos
        let n = bytes.count
        var negative = false
        if p < n && (bytes[p] == 45 || bytes[p] == 43) {
            negative = bytes[p] == 45
            p &+= 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var sawDigit = false
        while p < n {
            let d = bytes[p] &- 48
            if d >= 10 { break }
            sawDigit = true
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant &+= 1 }
            } else {
                exponent &+= 1
            }
            p &+= 1
        }
        if p < n && bytes[p] == 46 {
            p &+= 1
            while p < n {
                let d = bytes[p] &- 48
                if d >= 10 { break }
                sawDigit = true
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant &+= 1 }
                    exponent &-= 1
                }
                p &+= 1
            }
        }
        if !sawDigit {
            return nonFinite(from: p, negative: negative)
        }
        if p < n && (bytes[p] | 0x20) == 101 {
            var q = p &+ 1
            var expNegative = false
            if q < n && (bytes[q] == 45 || bytes[q] == 43) {
                expNegative = bytes[q] == 45
                q &+= 1
            }
            if q < n && TextCursor.isDigit(bytes[q]) {
                var e = 0
                while q < n && TextCursor.isDigit(bytes[q]) {
                    if e < 100_000 { e = e &* 10 &+ Int(bytes[q] &- 48) }
                    q &+= 1
                }
                exponent &+= expNegative ? -e : e
                p = q
            }
        }
        if p < n && !TextCursor.isDelimiter(bytes[p]) { return nil }
        pos = p
        let value = Float(DecimalNumber.double(mantissa: mantissa, exponent: exponent))
        return negative ? -value : value
    }

    /// `nan` / `inf` / `infinity` at `p` (after an optional sign already consumed).
    mutating func nonFinite(from p: Int, negative: Bool) -> Float? {
        var c = TextCursor(UnsafeRawBufferPointer(bytes), from: p)
        let value: Float
        if c.keyword("nan") {
            value = .nan
        } else if c.keyword("infinity") || c.keyword("inf") {
            value = negative ? -.infinity : .infinity
        } else {
            return nil
        }
        pos = c.pos
        return value
    }

    /// Parses an optionally signed decimal integer; nil (cursor unmoved) when there is none.
    /// Values beyond about Int.max / 16 are clamped, which every caller then reports as out of range.
    @inline(__always) mutating func integer() -> Int? {
        var p = pos
        let n = bytes.count
        var negative = false
        if p < n && (bytes[p] == 45 || bytes[p] == 43) {
            negative = bytes[p] == 45
            p &+= 1
        }
        guard p < n && TextCursor.isDigit(bytes[p]) else { return nil }
        var v = 0
        while p < n {
            let d = bytes[p] &- 48
            if d >= 10 { break }
            if v < Int.max / 16 { v = v &* 10 &+ Int(d) }
            p &+= 1
        }
        pos = p
        return negative ? -v : v
    }

    /// The 1-based line number of byte offset `offset`.
    func lineNumber(at offset: Int) -> Int {
        var line = 1
        var i = 0
        let end = Swift.min(offset, bytes.count)
        while i < end {
            if bytes[i] == 10 { line += 1 }
            i += 1
        }
        return line
    }

    /// The line number of the cursor.
    var line: Int { lineNumber(at: pos) }

    /// The token at the cursor for an error message: up to 24 printable bytes, or "end of file".
    var tokenForMessage: String {
        var c = self
        c.skipSpaces()
        if c.atEnd { return "end of file" }
        if c.atLineEnd { return "end of line" }
        var out: [UInt8] = [39]
        var i = c.pos
        while i < bytes.count && !TextCursor.isSpace(bytes[i]) && out.count < 25 {
            let b = bytes[i]
            out.append(b >= 32 && b < 127 ? b : 63)
            i += 1
        }
        out.append(39)
        return String(decoding: out, as: UTF8.self)
    }
}
