import CaseGen
import MeshAnalysis
import MeshCore
import Testing

@Suite struct ClamshellTests {
    static let minis: [(String, Float?)] = [
        ("figures/rpgscad_king_troll.stl", nil),
        ("figures/rpgscad_mini_giant_boar_0.stl", nil),
        ("figures/rpgscad_mini_goblin_bow0.stl", nil),
        ("figures/rpgscad_mini_housecarl.stl", nil),
        ("figures/rpgscad_monk_0.stl", nil),
        ("figures/rpgscad_wyrmling.stl", nil),
        ("converted_stl/conv_cjt_ogre.stl", 32),
        ("broken/trimesh_teapot_open.stl", 40),
        ("broken/trimesh_soup.stl", 30),
    ]

    @Test(arguments: minis.map { $0.0 })
    func caseEnclosesTheMiniWithClearanceAndLetsItOut(_ path: String) throws {
        let size = Self.minis.first { $0.0 == path }?.1 ?? nil
        let mini = try Fixture.mesh(path, size: size)
        let options = CaseOptions()
        let result = try CaseGenerator.clamshell(mini, options: options)
        #expect(result.parts.map(\.name) == ["front", "back"])
        let check = CaseCheck.run(mini, result, options: options)
        #expect(check.messages.isEmpty, "\(path): \(check.messages)")
    }
}
