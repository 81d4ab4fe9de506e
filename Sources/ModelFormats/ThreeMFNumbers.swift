/// Number parsing for 3MF attribute values, straight from the bytes.
enum ThreeMFNumbers {
    private static let floatPowers: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]
    private static let doublePowers: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses an xs:double-style number (`-1.25`, `.5`, `3e-4`, surrounding spaces allowed).
    /// Exact decimal values that fit the fast paths are rounded correctly (a mantissa of up
    /// to 7 digits directly in Float, up to 15 through Double); anything else goes through
    /// the standard library. Returns nil for text that is not a number; may return a
    /// non-finite value (`INF`, `1e39`), which callers reject.
    static func float(_ v: UnsafeBufferPointer<UInt8>) -> Float? {
        var i = 0
        let n = v.count
        while i < n && (v[i] == 32 || v[i] == 9 || v[i] == 10 || v[i] == 13) { i += 1 }
        var end = n
        while end > i && (v[end - 1] == 32 || v[end - 1] == 9 || v[end - 1] == 10 || v[end - 1] == 13) { end -= 1 }
        let start = i
        var negative = false
        if i < end && (v[i] == 45 || v[i] == 43) {
            negative = v[i] == 45
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var digits = 0
        while i < end, v[i] &- 48 < 10 {
            if significant < 18 {
                mantissa = mantissa &* 10 &+ UInt64(v[i] &- 48)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
            }
            digits += 1
            i += 1
        }
        if i < end && v[i] == 46 {
            i += 1
            while i < end, v[i] &- 48 < 10 {
                if significant < 18 {
                    mantissa = mantissa &* 10 &+ UInt64(v[i] &- 48)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                }
                digits += 1
                i += 1
            }
        }
        if digits == 0 { return slow(v, start, end) }
        if i < end && (v[i] == 101 || v[i] == 69) {
            i += 1
            var expNegative = false
            if i < end && (v[i] == 45 || v[i] == 43) {
                expNegative = v[i] == 45
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < end, v[i] &- 48 < 10 {
                if e < 100_000 { e = e * 10 + Int(v[i] &- 48) }
                expDigits += 1
                i += 1
            }
            if expDigits == 0 { return nil }
            exponent += expNegative ? -e : e
        }
        if i != end { return slow(v, start, end) }
        if mantissa == 0 { return negative ? -0.0 : 0 }
        if mantissa < (1 << 24) && exponent >= -10 && exponent <= 10 {
            var f = Float(mantissa)
            f = exponent < 0 ? f / floatPowers[-exponent] : f * floatPowers[exponent]
            return negative ? -f : f
        }
        if mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
            var d = Double(mantissa)
            d = exponent < 0 ? d / doublePowers[-exponent] : d * doublePowers[exponent]
            return Float(negative ? -d : d)
        }
        return slow(v, start, end)
    }

    private static func slow(_ v: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Float? {
        guard e > s else { return nil }
        return Float(String(decoding: UnsafeBufferPointer(rebasing: v[s..<e]), as: UTF8.self))
    }

    /// Parses a non-negative decimal integer no larger than `UInt32.max`.
    @inline(__always)
    static func index(_ v: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var i = 0
        let n = v.count
        while i < n && v[i] == 32 { i += 1 }
        var end = n
        while end > i && v[end - 1] == 32 { end -= 1 }
        if i < end && v[i] == 43 { i += 1 }
        guard i < end, end - i <= 10 else { return nil }
        var value: UInt64 = 0
        while i < end {
            let d = v[i] &- 48
            guard d < 10 else { return nil }
            value = value * 10 + UInt64(d)
            i += 1
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }

    /// The whitespace-separated numbers of a 3MF `transform` attribute (nil when any is not a number).
    static func list(_ v: UnsafeBufferPointer<UInt8>) -> [Float]? {
        var out: [Float] = []
        var i = 0
        let n = v.count
        while i < n {
            while i < n && (v[i] == 32 || v[i] == 9 || v[i] == 10 || v[i] == 13) { i += 1 }
            let s = i
            while i < n && !(v[i] == 32 || v[i] == 9 || v[i] == 10 || v[i] == 13) { i += 1 }
            if i > s {
                guard let f = float(UnsafeBufferPointer(rebasing: v[s..<i])) else { return nil }
                out.append(f)
                if out.count > 12 { return out }
            }
        }
        return out
    }
}
