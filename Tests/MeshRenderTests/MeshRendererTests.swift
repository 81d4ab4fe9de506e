import Foundation
import MeshCore
import MeshIO
import MeshRender
import Testing

/// A closed unit cube, counter-clockwise seen from outside.
func unitCube(origin: Vec3 = .zero) -> TriangleMesh {
    var b = MeshBuilder()
    func v(_ x: Float, _ y: Float, _ z: Float) -> UInt32 { b.vertex(origin.x + x, origin.y + y, origin.z + z) }
    let c = [v(0, 0, 0), v(1, 0, 0), v(1, 1, 0), v(0, 1, 0), v(0, 0, 1), v(1, 0, 1), v(1, 1, 1), v(0, 1, 1)]
    let quads: [(Int, Int, Int, Int)] = [
        (0, 3, 2, 1), (4, 5, 6, 7),  // bottom (-z), top (+z)
        (0, 1, 5, 4), (2, 3, 7, 6),  // front (-y), back (+y)
        (1, 2, 6, 5), (3, 0, 4, 7),  // right (+x), left (-x)
    ]
    for q in quads {
        b.triangle(c[q.0], c[q.1], c[q.2])
        b.triangle(c[q.0], c[q.2], c[q.3])
    }
    return b.build()
}

/// What a picture shows: pixels differing from the background, their box, and shades.
struct Coverage {
    var count = 0
    var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
    var shades = Set<UInt32>()

    init(_ image: RGBAImage, background: RGBAColor) {
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = image.pixel(x, y)!
                guard p != background else { continue }
                count += 1
                minX = min(minX, x); maxX = max(maxX, x)
                minY = min(minY, y); maxY = max(maxY, y)
                if p.a == 255 { shades.insert(UInt32(p.r) << 16 | UInt32(p.g) << 8 | UInt32(p.b)) }
            }
        }
    }

    var spanX: Int { maxX - minX + 1 }
    var spanY: Int { maxY - minY + 1 }
    func touchesBorder(of image: RGBAImage) -> Bool {
        minX <= 0 || minY <= 0 || maxX >= image.width - 1 || maxY >= image.height - 1
    }
}

/// Colours of the interior pixels whose 3x3 neighbourhood is all model (no edge blending).
func interiorShades(_ image: RGBAImage, background: RGBAColor) -> Set<UInt32> {
    var out = Set<UInt32>()
    for y in 1..<(image.height - 1) {
        for x in 1..<(image.width - 1) {
            var inside = true
            for dy in -1...1 { for dx in -1...1 where image.pixel(x + dx, y + dy)! == background { inside = false } }
            guard inside else { continue }
            let p = image.pixel(x, y)!
            out.insert(UInt32(p.r) << 16 | UInt32(p.g) << 8 | UInt32(p.b))
        }
    }
    return out
}

func packageRoot() -> URL {
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        url.deleteLastPathComponent()
    }
    fatalError("Package.swift not found above \(#filePath)")
}

func publicMesh(_ path: String) throws -> TriangleMesh {
    let url = packageRoot().appendingPathComponent("../shared/meshes/public/\(path)").standardizedFileURL
    let bytes = [UInt8](try Data(contentsOf: url))
    return try MeshReader.read(bytes, fileExtension: url.pathExtension).mesh
}

@Suite struct MeshRendererTests {
    let bg = RGBAColor.lightBackground

    @Test func everyCubeFaceIsFlat() {
        // In the iso view three faces show; each must be one shade (±1 for rounding).
        let image = MeshRenderer.render(unitCube(), options: RenderOptions(width: 256, height: 256, orthographic: true))
        var reds: [Int] = []
        for (x, y) in [(60, 110), (100, 140), (75, 175)] { reds.append(Int(image.pixel(x, y)!.r)) }
        #expect(reds.max()! - reds.min()! <= 1, "front face \(reds)")
        reds = []
        for (x, y) in [(180, 110), (200, 150), (170, 170)] { reds.append(Int(image.pixel(x, y)!.r)) }
        #expect(reds.max()! - reds.min()! <= 1, "right face \(reds)")
    }

    @Test func cubeIsDrawnFramedAndLit() {
        let image = MeshRenderer.render(unitCube(), options: RenderOptions(width: 200, height: 160))
        #expect(image.width == 200 && image.height == 160 && image.pixels.count == 200 * 160 * 4)
        let cov = Coverage(image, background: bg)
        #expect(cov.count > 200 * 160 / 5)
        #expect(!cov.touchesBorder(of: image))
        // Fitted to the tighter side (height) within the margin.
        #expect(cov.spanY > 160 * 8 / 10)
        #expect(cov.spanX > 200 / 3)
        // Three visible faces, lit differently: at least three distinct flat shades.
        #expect(interiorShades(image, background: bg).count >= 3)
        let midX = (cov.minX + cov.maxX) / 2, midY = (cov.minY + cov.maxY) / 2
        #expect(abs(midX - 100) <= 3 && abs(midY - 80) <= 3)
    }

    @Test func cubeFaceIsFlatAndLit() {
        // Front orthographic view: only the -Y face shows, as one flat shade (the crease
        // rule keeps the cube's averaged corner normals out).
        let image = MeshRenderer.render(unitCube(), options: RenderOptions(width: 64, height: 64, view: .front, orthographic: true))
        let shades = interiorShades(image, background: bg).map { Int($0 >> 16) }
        #expect(shades.max()! - shades.min()! <= 1)
        let p = image.pixel(32, 32)!
        #expect(p.r > 100 && p.r < 250)
    }

    @Test func everyViewDiffers() {
        // A non-symmetric model: a tall box next to a small one.
        var model = unitCube().transformed(by: Transform(rows: (1, 0, 0, 0), (0, 2, 0, 0), (0, 0, 3, 0)))
        model.append(unitCube(origin: Vec3(1.5, 0, 0)))
        var images: [RGBAImage] = []
        for view in RenderView.allCases {
            for ortho in [false, true] {
                let image = MeshRenderer.render(model, options: RenderOptions(width: 96, height: 96, view: view, orthographic: ortho))
                let cov = Coverage(image, background: bg)
                #expect(cov.count > 96 * 96 / 10, "view \(view.name) ortho \(ortho)")
                #expect(!cov.touchesBorder(of: image), "view \(view.name) ortho \(ortho)")
                images.append(image)
            }
        }
        for i in images.indices {
            for j in images.indices where j > i {
                #expect(images[i] != images[j], "renders \(i) and \(j) are identical")
            }
        }
    }

    @Test func viewNamesParse() {
        for view in RenderView.allCases { #expect(RenderView(name: view.name) == view) }
        #expect(RenderView(name: "ISO") == .iso)
        #expect(RenderView(name: "diagonal") == nil)
    }

    @Test func emptyAndDegenerateMeshesGiveTheBackground() {
        let options = RenderOptions(width: 32, height: 24)
        let expected = RGBAImage(width: 32, height: 24, fill: bg)
        #expect(MeshRenderer.render(TriangleMesh(), options: options) == expected)
        // All triangles collinear or collapsed to a point.
        let flat = TriangleMesh(positions: [0, 0, 0, 1, 1, 1, 2, 2, 2], indices: [0, 1, 2, 0, 0, 0, 1, 1, 2])
        #expect(MeshRenderer.render(flat, options: options) == expected)
        // Indices out of range and non-finite positions are skipped, not a crash.
        let bad = TriangleMesh(positions: [0, 0, 0, .nan, 1, 0, 1, .infinity, 0], indices: [0, 1, 2, 0, 7, 9])
        #expect(MeshRenderer.render(bad, options: options) == expected)
    }

    @Test func badTrianglesDoNotDisturbTheRest() {
        var mesh = unitCube()
        let clean = MeshRenderer.render(mesh, options: RenderOptions(width: 64, height: 64))
        let base = UInt32(mesh.vertexCount)
        mesh.positions += [.nan, 0, 0, 0.5, 0.5, 0.5]
        mesh.indices += [base, 0, 1, base + 1, base + 1, base + 1, 0, 1, 99]
        #expect(MeshRenderer.render(mesh, options: RenderOptions(width: 64, height: 64)) == clean)
    }

    @Test func insideOutMeshLooksTheSame() {
        let cube = unitCube()
        var flipped = cube
        flipped.reverseWinding()
        for view in RenderView.allCases {
            let options = RenderOptions(width: 80, height: 80, view: view)
            #expect(MeshRenderer.render(cube, options: options) == MeshRenderer.render(flipped, options: options))
        }
    }

    @Test func openMeshShowsItsInsideLit() {
        // A cube without its top, seen from above: the inside (back faces) shows, lit.
        var cube = unitCube()
        cube.indices.removeSubrange(6..<12)
        let image = MeshRenderer.render(cube, options: RenderOptions(width: 64, height: 64, view: .top, orthographic: true))
        let p = image.pixel(32, 32)!
        #expect(p != bg && p.a == 255 && p.r > 60)
    }

    @Test func transparentBackgroundHasAlphaEdges() {
        let image = MeshRenderer.render(unitCube(), options: RenderOptions(width: 64, height: 64, background: .transparent))
        #expect(image.pixel(0, 0)!.a == 0)
        #expect(image.pixel(32, 32)!.a == 255)
        var partial = 0
        for i in stride(from: 3, to: image.pixels.count, by: 4) where image.pixels[i] > 0 && image.pixels[i] < 255 {
            partial += 1
        }
        #expect(partial > 10, "supersampled edges blend into the transparent background")
    }

    @Test func supersamplingSmoothsEdges() {
        let sharp = MeshRenderer.render(unitCube(), options: RenderOptions(width: 64, height: 64, supersample: false))
        let smooth = MeshRenderer.render(unitCube(), options: RenderOptions(width: 64, height: 64, supersample: true))
        func colours(_ image: RGBAImage) -> Int {
            Set(stride(from: 0, to: image.pixels.count, by: 4).map { Array(image.pixels[$0..<$0 + 3]) }).count
        }
        // Without supersampling every pixel is background or one of the few face shades.
        #expect(colours(sharp) <= 12)
        #expect(colours(smooth) > colours(sharp) + 10)
    }

    @Test func oddSizesAreClampedAndSafe() {
        let tiny = MeshRenderer.render(unitCube(), options: RenderOptions(width: 0, height: -5))
        #expect(tiny.width == 1 && tiny.height == 1 && tiny.pixels.count == 4)
        let wide = MeshRenderer.render(unitCube(), options: RenderOptions(width: 300, height: 40))
        let cov = Coverage(wide, background: bg)
        #expect(!cov.touchesBorder(of: wide) && cov.spanY > 30)
    }

    @Test func realMiniatureIsFramedAndShaded() throws {
        let mesh = try publicMesh("figures/rpgscad_wyrmling.stl")
        #expect(mesh.triangleCount == 5838)
        for view in RenderView.allCases {
            let image = MeshRenderer.render(mesh, options: RenderOptions(width: 256, height: 256, view: view))
            let cov = Coverage(image, background: bg)
            #expect(!cov.touchesBorder(of: image), "view \(view.name)")
            #expect(max(cov.spanX, cov.spanY) > 256 * 8 / 10, "view \(view.name)")
            #expect(cov.count > 256 * 256 / 12, "view \(view.name)")
            #expect(interiorShades(image, background: bg).count > 40, "view \(view.name): smooth shading gives many shades")
        }
    }

    @Test func denseScanRendersWithFaceNormals() throws {
        // 124k triangles on a 64x64 image: far more triangles than samples.
        let mesh = try publicMesh("converted_stl/conv_cjt_ogre.stl")
        let image = MeshRenderer.render(mesh, options: RenderOptions(width: 64, height: 64))
        let cov = Coverage(image, background: bg)
        #expect(cov.count > 64 * 64 / 10 && !cov.touchesBorder(of: image))
        #expect(interiorShades(image, background: bg).count > 20)
    }
}
