import ArgumentParser
import Foundation
import MeshRender
import ModelFormats
import VitrineKit

extension RenderView: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { ["iso", "front", "side", "top"] }
}

extension Vitrine {
    /// `vitrine render FILE -o OUT.png [--size 512] [--view iso|front|side|top]`.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a mesh to a PNG picture (software rasterizer, lit and framed automatically)."
        )

        @Argument(help: "Mesh file to render.") var input: String
        @Option(name: .shortAndLong, help: "Output PNG path.") var output: String
        @Option(help: "Image width and height in pixels (16-4096).") var size = 512
        @Option(help: "Camera: iso, front, side or top.") var view: RenderView = .iso
        @Flag(help: "Orthographic instead of perspective projection.") var orthographic = false

        func validate() throws {
            if size < 16 || size > 4096 { throw ValidationError("--size must be between 16 and 4096, got \(size)") }
        }

        func run() throws {
            do throws(ModelFileError) {
                // Welding lets the renderer shade smoothly; past ~1M triangles every triangle is
                // under a pixel, face normals look the same, and skipping the weld saves time.
                let fileBytes = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? NSNumber)??.intValue ?? 0
                let model = try ModelFile.load(path: input, welding: fileBytes < 50_000_000)
                var options = RenderOptions()
                options.width = size
                options.height = size
                options.view = view
                options.orthographic = orthographic
                let image = MeshRenderer.render(model.mesh, options: options)
                let png = PNG.encode(image)
                do {
                    try Data(png).write(to: URL(fileURLWithPath: output))
                } catch {
                    throw ModelFileError("cannot write \(output): \(error.localizedDescription)")
                }
            } catch {
                printError("vitrine render: \(error.message)")
                throw ExitCode(1)
            }
        }
    }
}
