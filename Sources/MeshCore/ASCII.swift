/// ASCII text helpers that need no Unicode tables, so they work in Embedded Swift.
public enum ASCII {
    /// `s` with A–Z turned into a–z; other bytes unchanged.
    public static func lowercased(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        for b in s.utf8 { bytes.append(b >= 65 && b <= 90 ? b + 32 : b) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `n` with thousands separators, e.g. `4,000,000`, for readable error messages.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n < 0 ? -n : n)
        var out = ""
        var count = 0
        for ch in digits.reversed() {
            if count > 0 && count % 3 == 0 { out.append(",") }
            out.append(ch)
            count += 1
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    /// A decimal rendering of `value` with at most `fractionDigits` digits after the point,
    /// trailing zeros dropped; "nan", "inf" or "-inf" for non-finite values.
    /// (Embedded Swift has no `Double.description`.)
    public static func decimal(_ value: Double, fractionDigits: Int = 4) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        let negative = value < 0
        let magnitude = negative ? -value : value
        if magnitude >= 9.0e15 / scale {
            // Too large for the fixed-point path: fall back to an integer rendering.
            return (negative ? "-" : "") + String(UInt64(min(magnitude, 1.8e19)))
        }
        let scaled = UInt64((magnitude * scale).rounded())
        let whole = scaled / UInt64(scale)
        var frac = scaled % UInt64(scale)
        var fracDigits: [Character] = []
        for _ in 0..<fractionDigits {
            fracDigits.append(Character(Unicode.Scalar(UInt8(48 + frac % 10))))
            frac /= 10
        }
        fracDigits.reverse()
        while let last = fracDigits.last, last == "0" { fracDigits.removeLast() }
        var s = negative && (whole != 0 || !fracDigits.isEmpty) ? "-" : ""
        s += String(whole)
        if !fracDigits.isEmpty { s += "." + String(fracDigits) }
        return s
    }
}
