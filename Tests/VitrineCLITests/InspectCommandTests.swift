import Foundation
import Testing

@Suite struct InspectCommandTests {
    @Test func jsonReportHasTheDocumentedKeysForOneFile() throws {
        let result = try CLI.run(["inspect", "--json", CLI.mesh("figures/rpgscad_wyrmling.stl")])
        #expect(result.status == 0)
        let report = try #require(try CLI.json(result.stdout) as? [String: Any])
        for key in ["file", "format", "triangles", "vertices", "bounds", "size_mm", "unit_guess", "area_mm2",
                    "volume_mm3", "watertight", "boundary_edges", "non_manifold_edges", "components",
                    "degenerate_triangles", "inside_out_components"] {
            #expect(report[key] != nil, "missing key \(key)")
        }
        #expect(report["triangles"] as? Int == 5838)
        #expect(report["format"] as? String == "stl-binary")
        #expect(report["watertight"] as? Bool == true)
        #expect(report["unit_guess"] as? String == "mm")
        let size = try #require(report["size_mm"] as? [Double])
        #expect(abs(size[2] - 65.14) < 0.01)
        #expect((report["volume_mm3"] as? Double ?? 0) > 0)
    }

    @Test func severalFilesGiveAnArrayAndOneFailureGivesStatusOneWithOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("garbage.stl")
        try Data("this is not a mesh at all\n".utf8).write(to: bad)
        let result = try CLI.run(["inspect", "--json", CLI.mesh("stl_edge/npstl_CubeInvalidUnicode.stl"), bad.path])
        #expect(result.status == 1)
        let array = try #require(try CLI.json(result.stdout) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(array.first?["triangles"] as? Int == 12)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("garbage.stl") == true)
    }

    @Test func truncatedBinarySTLNamesBothCounts() throws {
        let dir = try CLI.temporaryDirectory()
        let source = try Data(contentsOf: URL(fileURLWithPath: CLI.mesh("figures/rpgscad_wyrmling.stl")))
        let cut = dir.appendingPathComponent("cut.stl")
        try source.prefix(84 + 50 * 100 + 17).write(to: cut)
        let result = try CLI.run(["inspect", cut.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("5,838"))
        #expect(result.stderr.contains("100"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingFileIsAClearError() throws {
        let result = try CLI.run(["inspect", "/nonexistent/mini.stl"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/mini.stl"))
        #expect(result.stderr.contains("no such file"))
    }

    @Test func notA3MFZipIsAClearError() throws {
        let dir = try CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("fake.3mf")
        try Data("PK but not really a zip".utf8).write(to: bad)
        let result = try CLI.run(["inspect", bad.path])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func humanOutputNamesTheDefects() throws {
        let result = try CLI.run(["inspect", CLI.mesh("broken/trimesh_teapot_open.stl")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("NOT watertight"))
        #expect(result.stdout.contains("boundary edges"))
    }
}

@Suite struct ConvertAndRepairCommandTests {
    @Test func convertFromMetresScalesToMillimetresAndKeepsTriangles() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("horse.stl").path
        let convert = try CLI.run(["convert", CLI.mesh("scans/cjt_horse.ply"), out, "--from-units", "m"])
        #expect(convert.status == 0, "\(convert.stderr)")
        let inspect = try CLI.run(["inspect", "--json", out])
        let report = try #require(try CLI.json(inspect.stdout) as? [String: Any])
        #expect(report["triangles"] as? Int == 96_966)
        let size = try #require(report["size_mm"] as? [Double])
        #expect(abs(size[1] - 183.3) < 0.5)
        #expect(report["unit_guess"] as? String == "mm")
    }

    @Test func convertRoundTripsThrough3MFObjAndPly() throws {
        let dir = try CLI.temporaryDirectory()
        var previous = CLI.mesh("figures/rpgscad_wyrmling.stl")
        for ext in ["3mf", "obj", "ply", "stl"] {
            let next = dir.appendingPathComponent("wyrmling.\(ext)").path
            let result = try CLI.run(["convert", previous, next])
            #expect(result.status == 0, "\(ext): \(result.stderr)")
            let report = try #require(try CLI.json(try CLI.run(["inspect", "--json", next]).stdout) as? [String: Any])
            #expect(report["triangles"] as? Int == 5838, "\(ext)")
            #expect(report["watertight"] as? Bool == true, "\(ext)")
            previous = next
        }
    }

    @Test func convertRejectsBothScaleAndUnits() throws {
        let result = try CLI.run(["convert", CLI.mesh("figures/rpgscad_wyrmling.stl"), "/tmp/x.stl", "--scale", "2", "--from-units", "m"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--scale"))
    }

    @Test(arguments: ["broken/trimesh_teapot_open.stl", "broken/trimesh_multibody_inverted.stl", "broken/oded_plane_holes.obj"])
    func repairMakesBrokenRealFilesWatertightAndSaysSo(file: String) throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("fixed.stl").path
        let repair = try CLI.run(["repair", CLI.mesh(file), out, "--json"])
        #expect(repair.status == 0, "\(repair.stderr)")
        let report = try #require(try CLI.json(repair.stdout) as? [String: Any])
        #expect(report["watertight"] as? Bool == true)
        let inspect = try #require(try CLI.json(try CLI.run(["inspect", "--json", out]).stdout) as? [String: Any])
        #expect(inspect["watertight"] as? Bool == true)
        #expect(inspect["inside_out_components"] as? Int == 0)
        #expect((inspect["volume_mm3"] as? Double ?? 0) > 0)
        let text = try CLI.run(["repair", CLI.mesh(file), out])
        #expect(text.stdout.contains("after:") && text.stdout.contains("watertight"))
    }

    @Test func renderWritesAPNG() throws {
        let dir = try CLI.temporaryDirectory()
        let out = dir.appendingPathComponent("w.png")
        let result = try CLI.run(["render", CLI.mesh("figures/rpgscad_wyrmling.stl"), "-o", out.path, "--size", "128"])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = try Data(contentsOf: out)
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: width and height, big endian, at bytes 16 and 20.
        let b = [UInt8](bytes)
        #expect(b.count > 24)
        let width = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
        let height = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
        #expect(width == 128 && height == 128)
    }
}
