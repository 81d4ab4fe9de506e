import Foundation
import Testing

@Suite struct CaseCommandTests {
    @Test func wyrmlingGetsATwoPartWatertightCaseIn3MFAndSTL() throws {
        let dir = try CLI.temporaryDirectory()
        let out3mf = dir.appendingPathComponent("wyrm.3mf").path
        let result = try CLI.run(["case", CLI.root.appendingPathComponent("Examples/wyrmling.stl").path, "-o", out3mf, "--resolution", "0.25", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try CLI.json(result.stdout) as? [String: Any])
        let parts = try #require(report["parts"] as? [[String: Any]])
        #expect(parts.map { $0["name"] as? String } == ["front", "back"])
        for part in parts {
            #expect(part["watertight"] as? Bool == true)
            #expect((part["volume_mm3"] as? Double ?? 0) > 0)
        }
        #expect(report["resolution_mm"] as? Double == 0.25)
        let inspect = try #require(try CLI.json(try CLI.run(["inspect", "--json", out3mf]).stdout) as? [String: Any])
        #expect(inspect["objects"] as? Int == 2)
        #expect(inspect["watertight"] as? Bool == true)

        let outSTL = dir.appendingPathComponent("wyrm.stl").path
        let stl = try CLI.run(["case", CLI.root.appendingPathComponent("Examples/wyrmling.stl").path, "-o", outSTL, "--resolution", "0.25", "--layout", "assembled"])
        #expect(stl.status == 0, "\(stl.stderr)")
        for name in ["front", "back"] {
            let path = dir.appendingPathComponent("wyrm-\(name).stl").path
            #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
        }
    }

    @Test func aMiniInMetresIsRefusedWithAUnitHintAndAutoScalesIt() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("horse.3mf").path
        let refused = try CLI.run(["case", CLI.mesh("scans/cjt_horse.ply"), "-o", out])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--units"))
        #expect(refused.stderr.split(separator: "\n").count == 1)

        let auto = try CLI.run(["case", CLI.mesh("scans/cjt_horse.ply"), "-o", out, "--units", "auto", "--resolution", "0.5", "--json"])
        #expect(auto.status == 0, "\(auto.stderr)")
        let report = try #require(try CLI.json(auto.stdout) as? [String: Any])
        #expect(report["scale"] as? Double == 1000)
        let parts = try #require(report["parts"] as? [[String: Any]])
        #expect(parts.allSatisfy { $0["watertight"] as? Bool == true })
        // On the plate each half lies parting face up, so its height is its depth along the
        // horse's 0.1833 m length: the two halves together must exceed 183 mm.
        let depths = parts.compactMap { ($0["size_mm"] as? [Double])?[2] }
        #expect(depths.count == 2 && depths.reduce(0, +) > 183.3)
    }

    @Test(arguments: [["--clearance", "-1"], ["--wall", "0.5"], ["--resolution", "2"], ["--pins", "3"], ["--bed", "big"]])
    func optionsOutOfRangeAreClearErrors(arguments: [String]) throws {
        let result = try CLI.run(["case", CLI.mesh("figures/rpgscad_wyrmling.stl"), "-o", "/tmp/never.3mf"] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(arguments[0]))
    }
}
