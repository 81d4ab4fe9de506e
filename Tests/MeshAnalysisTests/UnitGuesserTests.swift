import MeshAnalysis
import MeshCore
import Testing

/// Sizes from MANIFEST.md's units notes, and the examples the issue gives.
@Suite struct UnitGuesserTests {
    func guess(_ x: Float, _ y: Float, _ z: Float) -> UnitGuess { UnitGuesser.guess(size: Vec3(x, y, z)) }

    @Test func tinyNumbersAreMetres() {
        let g = guess(0.01, 0.02, 0.03)
        #expect(g.unit == .metre)
        #expect(g.reason.contains("30 mm"))
        #expect(g.reason.contains("miniature"))
        #expect(guess(0.08401, 0.1833, 0.1528).unit == .metre)  // cjt_horse.ply, 0.18 m
        #expect(guess(0.1557, 0.1543, 0.1207).unit == .metre)  // stanford bunny, 0.156 m
    }

    @Test func lifeSizePersonIsMetresButSaysInchesArePossible() {
        let g = guess(1.837, 1.791, 0.3085)  // oded_human_man.obj, 1.8 m
        #expect(g.unit == .metre)
        #expect(g.reason.contains("1,837 mm"))
        #expect(g.reason.contains("inches"))
    }

    @Test func inchSizedNumbersAreInches() {
        let g = guess(1.2, 0.5, 0.5)
        #expect(g.unit == .inch)
        #expect(g.reason.contains("30.5 mm"))
        #expect(guess(2.656, 2.953, 0.625).unit == .inch)  // trimesh_idler_riser.STL
    }

    @Test func afewUnitsIsCentimetresAndTheReasonNamesInches() {
        let g = guess(6.549, 4.895, 7.723)  // scorpion
        #expect(g.unit == .centimetre)
        #expect(g.reason.contains("77.2 mm"))
        #expect(g.reason.contains("inches"))
    }

    @Test func miniaturesAndBustsAreMillimetres() {
        #expect(guess(25, 25, 38.86).unit == .millimetre)  // rpgscad monk
        let g = guess(238.7, 362.5, 494.6)  // nefertiti, 495 mm
        #expect(g.unit == .millimetre)
        #expect(g.reason.contains("large"))
    }

    @Test func hugeNumbersAreMicronsAndEmptyIsMillimetres() {
        #expect(guess(30_000, 20_000, 10_000).unit == .micron)
        #expect(guess(0, 0, 0).unit == .millimetre)
        #expect(UnitGuesser.guess(size: Vec3(.nan, 1, 1)).unit == .millimetre)
    }
}
