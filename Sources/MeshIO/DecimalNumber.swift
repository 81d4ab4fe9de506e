/// Decimal ↔ binary conversion for the text formats, without Foundation or `String`.
///
/// A decimal `mantissa × 10^exponent` with at most 19 significant digits is turned into a
/// `Double` with one correctly rounded operation whenever the mantissa fits 53 bits and the
/// power of ten is exact (|exponent| ≤ 22: Clinger's fast path), which covers the 6–9 digit
/// coordinates mesh files hold; the `Double` is then rounded to `Float`.
enum DecimalNumber {
    /// 10^0 … 10^22, all exactly representable as `Double`.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// `mantissa × 10^exponent` as a `Double` (correctly rounded on the fast path,
    /// within an ulp or two otherwise).
    @inline(__always)
    static func double(mantissa: UInt64, exponent: Int) -> Double {
        if mantissa == 0 { return 0 }
        var d = Double(mantissa)
        if exponent >= -22 && exponent <= 22 {
            return exponent < 0 ? d / powersOfTen[-exponent] : d * powersOfTen[exponent]
        }
        // Far outside mesh coordinates; clamp so a silly exponent cannot loop for long.
        var e = Swift.max(-400, Swift.min(400, exponent))
        while e > 22 { d *= 1e22; e -= 22 }
        while e < -22 { d /= 1e22; e += 22 }
        return e < 0 ? d / powersOfTen[-e] : d * powersOfTen[e]
    }

    /// Appends the shortest decimal (up to 9 significant digits) that reads back as exactly
    /// `value` through `double(mantissa:exponent:)`, e.g. `0.1`, `-12.5`, `1.5e-07`.
    static func append(_ value: Float, to out: inout [UInt8]) {
        if value.isNaN { out.append(contentsOf: [110, 97, 110]); return }  // "nan"
        if value < 0 { out.append(45) }
        if value.isInfinite { out.append(contentsOf: [105, 110, 102]); return }  // "inf"
        let magnitude = value.magnitude
        if magnitude == 0 { out.append(48); return }
        let d = Double(magnitude)
        // Decimal exponent e with 10^e ≤ d < 10^(e+1): estimate from the binary exponent, then fix.
        var e = Int((Double(Int(magnitude.exponent)) * 0.30102999566398119).rounded(.down))
        while double(mantissa: 1, exponent: e) > d { e -= 1 }
        while double(mantissa: 1, exponent: e + 1) <= d { e += 1 }
        var digits: UInt64 = 0
        var exponent = e
        for precision in 6...9 {
            let limit = UInt64(powersOfTen[precision])
            var m = UInt64(scaled(d, by: precision - 1 - e).rounded())
            var e10 = e
            if m >= limit { m /= 10; e10 += 1 }
            digits = m
            exponent = e10
            if Float(double(mantissa: m, exponent: e10 - (precision - 1))) == magnitude { break }
        }
        // Render `digits` (its first digit at 10^exponent) without trailing zeros; no allocation,
        // since writers call this for every coordinate.
        var m = digits
        while m >= 10 && m % 10 == 0 { m /= 10 }
        var k = 1  // number of significant digits left in m
        var top: UInt64 = 1  // 10^(k-1)
        while m / top >= 10 { top *= 10; k += 1 }
        func digit(_ i: Int) -> UInt8 {  // the i-th digit of m from the left, "0" past the end
            if i >= k { return 48 }
            var p = top
            for _ in 0..<i { p /= 10 }
            return UInt8(48 + (m / p) % 10)
        }
        if exponent >= -5 && exponent < 9 {
            if exponent >= 0 {
                for i in 0...exponent { out.append(digit(i)) }
                if k > exponent + 1 {
                    out.append(46)
                    for i in (exponent + 1)..<k { out.append(digit(i)) }
                }
            } else {
                out.append(48); out.append(46)
                for _ in 0..<(-exponent - 1) { out.append(48) }
                for i in 0..<k { out.append(digit(i)) }
            }
        } else {
            out.append(digit(0))
            if k > 1 {
                out.append(46)
                for i in 1..<k { out.append(digit(i)) }
            }
            out.append(101)  // "e"
            out.append(exponent < 0 ? 45 : 43)
            let a = exponent < 0 ? -exponent : exponent
            if a < 10 { out.append(48) }
            appendInteger(a, to: &out)
        }
    }

    /// `d × 10^power`, using exact powers of ten.
    @inline(__always)
    static func scaled(_ d: Double, by power: Int) -> Double {
        var d = d
        var p = power
        while p > 22 { d *= 1e22; p -= 22 }
        while p < -22 { d /= 1e22; p += 22 }
        return p < 0 ? d / powersOfTen[-p] : d * powersOfTen[p]
    }

    /// Appends the decimal digits of `n` (with a leading "-" when negative).
    static func appendInteger(_ n: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(45) }
        var m = n.magnitude
        if m == 0 { out.append(48); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &tmp) { t in
            while m > 0 { t[count] = UInt8(48 + m % 10); m /= 10; count += 1 }
            var i = count - 1
            while i >= 0 { out.append(t[i]); i -= 1 }
        }
    }
}
