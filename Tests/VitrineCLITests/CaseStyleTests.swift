import Foundation
import Testing

@Suite struct CaseStyleTests {
    func parts(_ stdout: String) throws -> [[String: Any]] {
        let report = try #require(try CLI.json(stdout) as? [String: Any])
        return try #require(report["parts"] as? [[String: Any]])
    }

    @Test func lidStyleMakesABaseAndALidAndNamesTheBase() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("goblin.3mf").path
        let result = try CLI.run([
            "case", CLI.mesh("figures/rpgscad_mini_goblin_bow0.stl"), "--style", "lid", "-o", out,
            "--resolution", "0.3", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let parts = try parts(result.stdout)
        #expect(parts.map { $0["name"] as? String } == ["base", "lid"])
        #expect(parts.allSatisfy { $0["watertight"] as? Bool == true && ($0["volume_mm3"] as? Double ?? 0) > 0 })
        #expect(parts.map { $0["extraction"] as? [Double] } == [[0, 0, 1], [0, 0, -1]])
        let report = try #require(try CLI.json(result.stdout) as? [String: Any])
        let warnings = report["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("25 mm round base") }, "\(warnings)")
        // On the plate the parts lie apart (assembled, the base and lid touch along the seam).
        let inspect = try #require(try CLI.json(try CLI.run(["inspect", "--json", out]).stdout) as? [String: Any])
        #expect(inspect["objects"] as? Int == 2)
        #expect(inspect["watertight"] as? Bool == true)
    }

    @Test func trayStylePacksThreeMinisInOneClamshell() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("tray.stl").path
        let files = ["figures/rpgscad_mini_goblin_bow0.stl", "figures/rpgscad_mini_housecarl.stl", "figures/rpgscad_monk_0.stl"]
        let result = try CLI.run(["case"] + files.map { CLI.mesh($0) } + ["--style", "tray", "-o", out, "--resolution", "0.3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let parts = try parts(result.stdout)
        #expect(parts.map { $0["name"] as? String } == ["front", "back"])
        #expect(parts.allSatisfy { $0["watertight"] as? Bool == true })
        // Three 25 mm minis side by side: the plate-laid halves are wider than the three bases.
        #expect(parts.allSatisfy { (($0["size_mm"] as? [Double])?[0] ?? 0) > 75 })
        for name in ["front", "back"] {
            let path = dir.appendingPathComponent("tray-\(name).stl").path
            #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
        }
    }

    @Test(arguments: ["clamshell", "lid"])
    func severalMinisNeedTheTrayStyle(_ style: String) throws {
        let mini = CLI.mesh("figures/rpgscad_monk_0.stl")
        let result = try CLI.run(["case", mini, mini, "--style", style, "-o", "/tmp/never.3mf"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--style tray"), "\(result.stderr)")
    }

    @Test func anUnknownStyleIsRefused() throws {
        let result = try CLI.run(["case", CLI.mesh("figures/rpgscad_monk_0.stl"), "--style", "box", "-o", "/tmp/never.3mf"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--style"))
    }
}
