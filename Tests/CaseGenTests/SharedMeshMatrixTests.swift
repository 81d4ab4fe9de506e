import CaseGen
import Foundation
import MeshAnalysis
import MeshCore
import MeshIO
import ModelFormats
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 3, "done when" (first point): every shared public mesh that makes a sane case with
/// `--units auto` gets a clamshell, a lid and a tray (the mini twice), and each assembled
/// result passes `CaseCheck` (closed, oriented, positive volume; ≥ 10,000 area-weighted
/// samples at ≥ clearance − res/2 from every part; extraction rays clear; enclosure rays
/// hit; walls ≥ wall), plus the tray's wall between its two cavities.
///
/// 3MF files are read with ModelFormats' reader as the CLI does: all build items placed in one
/// mesh, in millimetres (the file declares its unit, which `--units auto` takes as is). The up
/// axis is the files' own +z (`--up z`, the CLI's default).
@Suite struct SharedMeshMatrixTests {
    enum Style: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case clamshell, lid, tray
        var testDescription: String { rawValue }
    }

    static let root = Fixture.packageRoot + "/../shared/meshes/public"

    /// Every STL, OBJ, PLY and 3MF file under `root`, relative to it, sorted.
    static let files: [String] = {
        var out: [String] = []
        func walk(_ relative: String) {
            guard let dir = opendir(relative.isEmpty ? root : root + "/" + relative) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name.hasPrefix(".") { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                if Int32(entry.pointee.d_type) == Int32(DT_DIR) {
                    walk(path)
                } else if let ext = extensionOf(name), ["stl", "obj", "ply", "3mf"].contains(ext) {
                    out.append(path)
                }
            }
        }
        walk("")
        return out.sorted()
    }()

    static func extensionOf(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return ASCII.lowercased(String(name[name.index(after: dot)...]))
    }

    /// Meshes (or mesh and style) that make no case, with a part of the clear error expected.
    /// Sizes are after the unit guess; 5–300 mm is `CaseJob.saneSize`.
    static let expectedRejections: [(path: String, style: Style?, error: String)] = [
        // Larger than 300 mm after the unit guess (the guess, then the size):
        ("broken/trimesh_joined_tetrahedra.obj", nil, tooBig),         // 2 units: m, 2000 mm
        ("broken/trimesh_shared_edge.STL", nil, tooBig),               // 2 units: m, 2000 mm
        ("converted_stl/conv_cjt_nefertiti.stl", nil, tooBig),         // mm, 495 mm bust
        ("scans/cjt_nefertiti.obj", nil, tooBig),                      // mm, 495 mm bust
        ("scans/oded_human_man.obj", nil, tooBig),                     // 1.84 units: m, 1837 mm person
        ("stl_edge/npstl_CubeInvalidUnicode.stl", nil, tooBig),        // 2 units: m, 2000 mm
        ("stl_edge/trimesh_counter_unitsmm.STL", nil, tooBig),         // mm, 304.8 mm
        ("3mf/trimesh_counterXP.3MF", nil, tooBig),                    // declared mm, 304.8 mm
        ("3mf/trimesh_pyramids.3mf", nil, tooBig),                     // declared mm, 346.7 mm
        // Fine alone, but two side by side make a row over 300 mm:
        ("broken/manyfold_bunny_non_manifold.stl", .tray, trayTooLong), // m, 156 mm
        ("scans/cjt_beast.obj", .tray, trayTooLong),                   // mm, 274 mm
        ("stl_ascii/trimesh_fuji_obj.stl", .tray, trayTooLong),        // mm, 201 mm
        ("3mf/3mfc_cube_gears.3mf", .tray, trayTooLong),               // declared mm, 168 mm
        ("3mf/3mfc_cube_gears_prod.3mf", .tray, trayTooLong),          // declared mm, 168 mm
    ]
    /// Files the 3MF reader must refuse (conformance MUSTFAIL samples), with part of its message.
    static let unreadable: [(path: String, error: String)] = [
        ("3mf/3mfc_MUSTFAIL_BuildItemBadObjectId.3mf", "which the model does not define"),
    ]
    static let tooBig = "cases are made for minis up to 300 mm (is the model in another unit?)"
    static let trayTooLong = "trays are made up to 300 mm: split the minis over several trays"

    /// The set is what the manifest promises: if files vanish the matrix would pass vacuously.
    @Test func theMatrixCoversTheSharedMeshes() {
        #expect(Self.files.count >= 40, "\(Self.files)")
        #expect(Self.files.filter { Self.extensionOf($0) == "3mf" }.count >= 10, "\(Self.files)")
        let rejectedAlone = Set(Self.expectedRejections.filter { $0.style == nil }.map(\.path) + Self.unreadable.map(\.path))
        #expect(Self.files.count - rejectedAlone.count >= 30, "only \(Self.files.count - rejectedAlone.count) meshes make cases")
        for rejection in Self.expectedRejections.map(\.path) + Self.unreadable.map(\.path) {
            #expect(Self.files.contains(rejection), "\(rejection) is listed as rejected but not there")
        }
    }

    @Test(arguments: files, Style.allCases)
    func everySaneMeshMakesASoundCaseInEveryStyle(_ path: String, _ style: Style) throws {
        let bytes = try #require(Fixture.readFile(Self.root + "/" + path))
        let mini: TriangleMesh, unit: LengthUnit
        if Self.extensionOf(path) == "3mf" {
            // As the CLI: every build item placed, converted to mm from the declared unit.
            let model: ThreeMFModel
            do {
                model = try ThreeMF.read(data: Data(bytes))
            } catch {
                let expected = try #require(Self.unreadable.first { $0.path == path }, "\(path): \(error.message)")
                #expect(error.message.contains(expected.error), "\(path): \(error.message)")
                return
            }
            #expect(Self.unreadable.first { $0.path == path } == nil, "\(path) should not be readable")
            (mini, unit) = (model.merged, model.unit)
        } else {
            let raw = try MeshReader.read(bytes, fileExtension: Self.extensionOf(path)).mesh
            // As `--units auto`: the guessed unit's scale into millimetres.
            unit = UnitGuesser.guess(size: raw.bounds.size).unit
            mini = raw.scaled(by: Float(unit.millimetres))
        }
        let largest = mini.bounds.largestDimension
        let rejection = Self.expectedRejections.first { $0.path == path && ($0.style == nil || $0.style == style) }

        var options = CaseOptions()
        options.resolution = largest <= 60 ? 0.4 : 0.5
        options.maxGridCells = 600   // big minis coarsen (to about 0.55 mm at 300 mm)
        let result: CaseResult
        do {
            switch style {
            case .clamshell: result = try CaseGenerator.clamshell(mini, options: options)
            case .lid: result = try CaseGenerator.lid(mini, options: options)
            case .tray: result = try CaseGenerator.tray([mini, mini], options: options)
            }
        } catch {
            let expected = try #require(rejection, "\(path) (\(style.rawValue), \(largest) mm as \(unit.symbol)): \(error.message)")
            #expect(error.message.contains(expected.error), "\(path) (\(style.rawValue)): \(error.message)")
            // Only what `CaseJob.saneSize` (5–300 mm) rules out is rejected alone.
            if expected.style == nil { #expect(largest > 300, "\(path): \(largest) mm, yet rejected: \(error.message)") }
            return
        }
        #expect(rejection == nil, "\(path) (\(style.rawValue)) was expected to be rejected (\(rejection?.error ?? ""))")
        #expect(largest >= 5 && largest <= 300, "\(path): \(largest) mm as \(unit.symbol) made a case")

        let gridCell = max(1, largest / 100)
        var check: CaseCheck
        switch style {
        case .clamshell:
            check = CaseCheck.run(mini, result, options: options, gridCell: gridCell)
        case .lid:
            let (m, r) = lidInClamshellFrame(mini, result)
            check = CaseCheck.run(m, r, options: options, gridCell: gridCell)
        case .tray:
            var packed = TriangleMesh()
            var boxes: [Bounds] = []
            for offset in result.offsets {
                let moved = mini.transformed(by: .translation(offset))
                boxes.append(moved.bounds)
                packed.append(moved)
            }
            #expect(boxes.count == 2)
            check = CaseCheck.run(packed, result, options: options, samples: 20_000, gridCell: gridCell)
            check.messages += Self.wallsBetweenCavities(boxes, result, options: options, packed: packed)
        }
        #expect(check.messages.isEmpty, "\(path) (\(style.rawValue), res \(result.resolution)): \(check.messages)")
    }

    /// As `TrayTests`: the cavity vertices over the height both neighbours share, split at the
    /// middle of the gap, leave at least `wall` of solid (less a cell of slope on each side).
    /// Cavity vertices as `CaseCheck.cavityVertices` (pin holes, pockets and notch are not).
    static func wallsBetweenCavities(_ boxes: [Bounds], _ result: CaseResult, options: CaseOptions, packed: TriangleMesh) -> [String] {
        var out: [String] = []
        let res = result.resolution
        let cavities = result.parts.map { CaseCheck.cavityVertices($0, mini: packed, plane: result.partingY) }
        for j in 1..<boxes.count {
            let a = boxes[j - 1], b = boxes[j]
            let mid = (a.max.x + b.min.x) / 2, zTop = min(a.max.z, b.max.z)
            for (part, cavity) in zip(result.parts, cavities) {
                var aEdge = a.max.x, bEdge = b.min.x
                for v in 0..<part.mesh.vertexCount where cavity[v] {
                    let p = part.mesh.position(v)
                    if p.x < a.max.x || p.x > b.min.x || p.z > zTop || p.z < max(a.min.z, b.min.z) { continue }
                    if p.x < mid { aEdge = max(aEdge, p.x) } else { bEdge = min(bEdge, p.x) }
                }
                let wall = bEdge - aEdge - 2 * res
                if wall < options.wall - 1e-3 {
                    out.append(part.name + ": \(wall) mm between the cavities of minis \(j) and \(j + 1)")
                }
            }
        }
        return out
    }
}
