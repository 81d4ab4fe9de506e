import Dispatch
import Foundation
import MeshCore
import MeshRender
import Testing

/// A runner that really runs jobs on several threads, `width` wide.
func threadedRunner(_ width: Int) -> JobRunner {
    JobRunner(width: width) { count, body in
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let job = body
            DispatchQueue.concurrentPerform(iterations: count) { job($0) }
        }
    }
}

/// A runner as wide as asked but serial, so job splitting is tested even on one core.
func wideSerialRunner(_ width: Int) -> JobRunner {
    JobRunner(width: width) { count, body in
        for i in (0..<count).reversed() { body(i) }
    }
}

func publicFileBytes(_ path: String) throws -> [UInt8] {
    let url = packageRoot().appendingPathComponent("../shared/meshes/public/\(path)").standardizedFileURL
    return [UInt8](try Data(contentsOf: url))
}

@Suite struct ParallelRenderTests {
    let bg = RenderOptions().background

    @Test(arguments: [2, 4])
    func runnerWidthDoesNotChangeAPixel(width: Int) throws {
        // 124k triangles: enough for several raster jobs, each with its own sample buffer.
        let mesh = try publicMesh("converted_stl/conv_cjt_ogre.stl")
        for options in [
            RenderOptions(width: 256, height: 256),
            RenderOptions(width: 128, height: 96, view: .front, orthographic: true, background: .transparent),
            RenderOptions(width: 64, height: 64),  // face-normal mode
        ] {
            let serial = MeshRenderer.render(mesh, options: options)
            #expect(MeshRenderer.render(mesh, options: options, runner: threadedRunner(width)) == serial)
            #expect(MeshRenderer.render(mesh, options: options, runner: wideSerialRunner(width)) == serial)
        }
    }

    @Test(arguments: [2, 4])
    func binarySTLRunnerWidthDoesNotChangeAPixel(width: Int) throws {
        let bytes = try publicFileBytes("converted_stl/conv_cjt_ogre.stl")
        let options = RenderOptions(width: 200, height: 200)
        try bytes.withUnsafeBytes { raw in
            let serial = try #require(MeshRenderer.render(binarySTL: raw, options: options))
            #expect(MeshRenderer.render(binarySTL: raw, options: options, runner: threadedRunner(width)) == serial)
            #expect(MeshRenderer.render(binarySTL: raw, options: options, runner: wideSerialRunner(width)) == serial)
        }
    }

    @Test func binarySTLPathFramesAndLightsLikeTheMeshPath() throws {
        let bytes = try publicFileBytes("converted_stl/conv_cjt_ogre.stl")
        let mesh = try publicMesh("converted_stl/conv_cjt_ogre.stl")
        // 64x64 supersampled has fewer samples than triangles: both paths use face normals.
        let options = RenderOptions(width: 64, height: 64)
        let fromMesh = MeshRenderer.render(mesh, options: options)
        let fromBytes = try bytes.withUnsafeBytes { try #require(MeshRenderer.render(binarySTL: $0, options: options)) }
        let a = Coverage(fromMesh, background: bg), b = Coverage(fromBytes, background: bg)
        #expect(a.minX == b.minX && a.maxX == b.maxX && a.minY == b.minY && a.maxY == b.maxY)
        var differing = 0
        for i in stride(from: 0, to: fromMesh.pixels.count, by: 4) where fromMesh.pixels[i] != fromBytes.pixels[i] {
            differing += 1
        }
        #expect(differing < 64 * 64 / 50, "\(differing) pixels differ")
        #expect(interiorShades(fromBytes, background: bg).count > 20)
    }

    @Test func binarySTLPathRejectsWhatIsNotBinarySTL() {
        let tooShort = [UInt8](repeating: 0, count: 40)
        var wrongCount = [UInt8](repeating: 0, count: 84 + 50)
        wrongCount[80] = 7  // claims 7 triangles, holds 1
        var empty = [UInt8](repeating: 0, count: 84)
        empty[0] = 1
        tooShort.withUnsafeBytes { #expect(MeshRenderer.render(binarySTL: $0) == nil) }
        wrongCount.withUnsafeBytes { #expect(MeshRenderer.render(binarySTL: $0) == nil) }
        let options = RenderOptions(width: 8, height: 8)
        empty.withUnsafeBytes {
            #expect(MeshRenderer.render(binarySTL: $0, options: options) == RGBAImage(width: 8, height: 8, fill: bg))
        }
    }

    @Test func binarySTLWithBadCornersStillRenders() {
        // Two triangles: one good, one with a NaN corner that must be skipped.
        var bytes = [UInt8](repeating: 0, count: 84 + 100)
        bytes[80] = 2
        func put(_ t: Int, _ k: Int, _ v: (Float, Float, Float)) {
            for (n, f) in [v.0, v.1, v.2].enumerated() {
                withUnsafeBytes(of: f.bitPattern.littleEndian) { b in
                    for i in 0..<4 { bytes[84 + 50 * t + 12 + 12 * k + 4 * n + i] = b[i] }
                }
            }
        }
        put(0, 0, (0, 0, 0)); put(0, 1, (10, 0, 0)); put(0, 2, (0, 0, 10))
        put(1, 0, (.nan, 0, 0)); put(1, 1, (-.infinity, 0, 0)); put(1, 2, (0, .infinity, 10))
        let image = bytes.withUnsafeBytes { MeshRenderer.render(binarySTL: $0, options: RenderOptions(width: 64, height: 64)) }
        let cov = Coverage(image!, background: bg)
        #expect(cov.count > 64 * 64 / 10 && !cov.touchesBorder(of: image!))
    }
}
