import Foundation
import MeshCore
import MeshIO
import Testing

/// The in-place decimal parser agrees with Swift's correctly rounded `Float(String)` on the
/// kinds of numbers mesh files hold.
@Suite struct NumberParsingTests {
    /// Reads `tokens` as the coordinates of an OBJ's vertices (each used once, in order).
    func parse(_ tokens: [String]) throws -> [Float] {
        precondition(tokens.count % 9 == 0)
        var text = ""
        for i in stride(from: 0, to: tokens.count, by: 3) { text += "v \(tokens[i]) \(tokens[i + 1]) \(tokens[i + 2])\n" }
        for t in 0..<(tokens.count / 9) { text += "f \(3 * t + 1) \(3 * t + 2) \(3 * t + 3)\n" }
        let mesh = try read(text, "obj").mesh
        return mesh.indices.flatMap { i in [mesh.positions[3 * Int(i)], mesh.positions[3 * Int(i) + 1], mesh.positions[3 * Int(i) + 2]] }
    }

    @Test func matchesSwiftsParserOnRandomDecimals() throws {
        var generator = SplitMix64(seed: 0x5EED_0F_0BE)
        var tokens: [String] = []
        for i in 0..<27_000 {
            let digits = 1 + i % 9
            let mantissa = UInt64.random(in: 0..<UInt64(pow(10.0, Double(digits))), using: &generator)
            let exponent = Int.random(in: -12...8, using: &generator)
            let sign = Bool.random(using: &generator) ? "-" : ""
            var s = String(mantissa)
            switch i % 3 {
            case 0: s = "\(sign)\(s)e\(exponent)"
            case 1:
                // Point inside or before the digits: "123.45", ".00123".
                let point = Int.random(in: 0...s.count, using: &generator)
                s = sign + String(s.prefix(point)) + "." + String(s.dropFirst(point))
            default: s = "\(sign)\(Float.random(in: -1000...1000, using: &generator))"
            }
            tokens.append(s)
        }
        // Distinct positions are needed for a one-to-one comparison; make each triple unique.
        for i in stride(from: 2, to: tokens.count, by: 3) { tokens[i] = String(i) }
        let parsed = try parse(tokens)
        var mismatches: [String] = []
        for (token, value) in zip(tokens, parsed) where Float(token)! != value {
            mismatches.append("\(token) → \(value) (expected \(Float(token)!))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func edgeCases() throws {
        let tokens = ["1", "+2", "-3", "4.", ".5", "-0.0", "1E3", "1e+02", "2.5e-3",
                      "123456789012345678901234", "0.000000000000000000000000000000000000000001401298464", "3.4028234e38",
                      "00012.5000", "-.75", "1.17549435E-38", "7", "8", "9"]
        let parsed = try parse(tokens)
        #expect(parsed == tokens.map { Float($0)! }.map { $0 == 0 ? 0 : $0 })
    }
}

/// A small seeded generator so the random cases are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
