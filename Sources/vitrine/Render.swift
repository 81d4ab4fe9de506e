import ArgumentParser
import Foundation
import MeshCore
import MeshIO
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
            // VITRINE_TIMING=1 prints where the time goes (stderr), for Benchmarks/render-vs-f3d.sh.
            let timing = ProcessInfo.processInfo.environment["VITRINE_TIMING"] != nil
            var last = DispatchTime.now().uptimeNanoseconds
            func lap(_ what: String) {
                guard timing else { return }
                let now = DispatchTime.now().uptimeNanoseconds
                printError("\(what): \(String(format: "%.1f", Double(now - last) / 1e6)) ms")
                last = now
            }
            // VITRINE_JOBS=1 renders on one thread (for measuring what the cores buy).
            let runner = ProcessInfo.processInfo.environment["VITRINE_JOBS"] == "1" ? JobRunner.serial : .cores
            var options = RenderOptions()
            options.width = size
            options.height = size
            options.view = view
            options.orthographic = orthographic
            do throws(ModelFileError) {
                let image: RGBAImage
                if let fast = renderLargeBinarySTL(options: options, runner: runner) {
                    image = fast
                    lap("read+render (binary STL, face normals)")
                } else {
                    // Welding lets the renderer shade smoothly; past ~50 MB every triangle is
                    // under a pixel, face normals look the same, and skipping the weld saves time.
                    var info = stat()
                    let fileBytes = stat(input, &info) == 0 ? Int(info.st_size) : 0
                    let model = try ModelFile.load(path: input, welding: fileBytes < 50_000_000)
                    lap("load")
                    image = MeshRenderer.render(model.mesh, options: options, runner: runner)
                    lap("render")
                }
                let png = PNG.encode(image)
                lap("png")
                // Plain stdio: Foundation's Data.write fsyncs, which costs more than the render.
                guard let file = fopen(output, "wb") else {
                    throw ModelFileError("cannot write \(output): \(String(cString: strerror(errno)))")
                }
                let written = png.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                if fclose(file) != 0 || written != png.count {
                    throw ModelFileError("cannot write \(output): \(String(cString: strerror(errno)))")
                }
                lap("write")
            } catch {
                printError("vitrine render: \(error.message)")
                throw ExitCode(1)
            }
        }

        /// Renders a binary STL with more triangles than supersampled pixels straight from the
        /// mapped file: such a mesh is drawn with face normals anyway, so welding it and
        /// building a `TriangleMesh` would only cost time. Nil for anything else.
        func renderLargeBinarySTL(options: RenderOptions, runner: JobRunner) -> RGBAImage? {
            let fd = open(input, O_RDONLY)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            let length = Int(info.st_size)
            let samples = (options.width * 2) * (options.height * 2)
            guard length >= 84 + 50 * samples, length <= ModelFile.maxFileBytes else { return nil }
            guard let map = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else {
                return nil
            }
            defer { munmap(map, length) }
            let bytes = UnsafeRawBufferPointer(start: map, count: length)
            let ext = URL(fileURLWithPath: input).pathExtension
            guard MeshReader.detect(bytes, fileExtension: ext.isEmpty ? nil : ext) == .stlBinary else { return nil }
            return MeshRenderer.render(binarySTL: bytes, options: options, runner: runner)
        }
    }
}
