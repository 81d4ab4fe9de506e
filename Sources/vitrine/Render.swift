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

        static let sizes = 16...4096

        func validate() throws {
            if !Render.sizes.contains(size) { throw ValidationError("--size must be between 16 and 4096, got \(size)") }
        }

        func run() throws {
            if Render.perform(input: input, output: output, size: size, view: view, orthographic: orthographic) != 0 {
                throw ExitCode(1)
            }
        }

        /// The whole command once its arguments are known; returns the exit status.
        /// (Also called by `Vitrine.main`'s fast path, which skips ArgumentParser for the
        /// plain `render IN -o OUT` forms: its reflection costs more than the render's
        /// PNG encoding.)
        /// With `exitWhenDone`, a success ends the process at once: the kernel drops the mesh,
        /// image and mapping faster than freeing them one by one (which unmaps pages on
        /// every core).
        static func perform(
            input: String, output: String, size: Int, view: RenderView, orthographic: Bool, exitWhenDone: Bool = false
        ) -> Int32 {
            // VITRINE_TIMING=1 prints where the time goes (stderr), for Benchmarks/render-vs-f3d.sh.
            // (getenv, not ProcessInfo: building the environment dictionary costs time at start.)
            let timing = getenv("VITRINE_TIMING") != nil
            var last = DispatchTime.now().uptimeNanoseconds
            // VITRINE_T0=$EPOCHREALTIME (set by bash just before the exec) adds process start-up.
            if timing, let t0 = getenv("VITRINE_T0") {
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                let started = Double(String(cString: t0)) ?? 0
                printError("start: \(String(format: "%.1f", (Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 - started) * 1000)) ms")
            }
            // Process CPU time too: CPU ms over wall ms says how well a phase used the cores.
            func cpuNanoseconds() -> UInt64 {
                var ts = timespec()
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
                return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
            }
            // And first-touch page faults, which cost microseconds each on a virtual machine.
            func pageFaults() -> Int {
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                return usage.ru_minflt
            }
            var lastCPU = timing ? cpuNanoseconds() : 0, lastFaults = timing ? pageFaults() : 0
            func lap(_ what: String) {
                guard timing else { return }
                let now = DispatchTime.now().uptimeNanoseconds, cpu = cpuNanoseconds(), faults = pageFaults()
                printError("\(what): \(String(format: "%.1f", Double(now - last) / 1e6)) ms (cpu \(String(format: "%.1f", Double(cpu - lastCPU) / 1e6)), \(faults - lastFaults) faults)")
                last = now
                lastCPU = cpu
                lastFaults = faults
            }
            // VITRINE_JOBS=1 renders on one thread (for measuring what the cores buy).
            let runner = getenv("VITRINE_JOBS").map { String(cString: $0) == "1" } == true ? JobRunner.serial : .cores
            var options = RenderOptions()
            options.width = size
            options.height = size
            options.view = view
            options.orthographic = orthographic
            do throws(ModelFileError) {
                let image: RGBAImage
                if let mapped = MappedFile(path: input) {
                    defer { mapped.close() }
                    lap("map")
                    if exitWhenDone { HeapReuse.enable() }
                    let bytes = mapped.bytes
                    let ext = fileExtension(input)
                    let samples = (options.width * 2) * (options.height * 2)
                    if bytes.count >= 84 + 50 * samples, MeshReader.detect(bytes, fileExtension: ext) == .stlBinary,
                       let fast = MeshRenderer.render(binarySTL: bytes, options: options, runner: runner) {
                        // More triangles than supersampled pixels: drawn with face normals
                        // anyway, so no weld and no `TriangleMesh`.
                        image = fast
                        lap("read+render (binary STL, face normals)")
                    } else if !isZip(bytes) && ext != "3mf" {
                        // Mesh formats straight from the mapped file (ModelFile.load's file
                        // attribute query looks up user names, which costs milliseconds).
                        // Welding lets the renderer shade smoothly; past ~50 MB every triangle
                        // is under a pixel, face normals look the same, and skipping saves time.
                        let mesh: TriangleMesh
                        do throws(MeshIOError) {
                            mesh = try MeshReader.read(bytes, fileExtension: ext, welding: bytes.count < 50_000_000, runner: runner).mesh
                        } catch {
                            throw ModelFileError(error.message)
                        }
                        lap("load")
                        image = MeshRenderer.render(mesh, options: options, runner: runner)
                        lap("render")
                    } else {
                        image = try renderLoaded(input, options: options, runner: runner, lap: lap)
                    }
                } else {
                    image = try renderLoaded(input, options: options, runner: runner, lap: lap)
                }
                let png = PNG.encode(image, runner: runner)
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
                // _exit: the PNG is closed and nothing else is buffered; exit's handlers and
                // static destructors (Foundation, libstdc++, Dispatch) have nothing to save.
                if exitWhenDone { _exit(0) }
                return 0
            } catch {
                printError("vitrine render: \(error.message)")
                return 1
            }
        }

        /// 3MF, and anything that cannot be mapped, through `ModelFile` (its errors name the problem).
        static func renderLoaded(
            _ input: String, options: RenderOptions, runner: JobRunner, lap: (String) -> Void
        ) throws(ModelFileError) -> RGBAImage {
            let model = try ModelFile.load(path: input, welding: true)
            lap("load")
            let image = MeshRenderer.render(model.mesh, options: options, runner: runner)
            lap("render")
            return image
        }

        /// The part of `path`'s last component after its last dot, lowercased; nil if none.
        static func fileExtension(_ path: String) -> String? {
            let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
            let ext = name[name.index(after: dot)...]
            return ext.isEmpty ? nil : ext.lowercased()
        }

        /// The arguments after `render` when they are exactly the plain form (one input,
        /// `-o`/`--output`, optional `--size`, `--view`, `--orthographic`, all valid), else nil
        /// so ArgumentParser handles them and words any error.
        static func fastArguments(_ args: [String]) -> (input: String, output: String, size: Int, view: RenderView, orthographic: Bool)? {
            var input: String?, output: String?, size = 512, view = RenderView.iso, orthographic = false
            var i = 0
            while i < args.count {
                let a = args[i]
                switch a {
                case "-o", "--output", "--size", "--view":
                    guard i + 1 < args.count else { return nil }
                    let value = args[i + 1]
                    i += 2
                    switch a {
                    case "--size":
                        guard let n = Int(value), sizes.contains(n) else { return nil }
                        size = n
                    case "--view":
                        guard let v = RenderView(name: value) else { return nil }
                        view = v
                    default:
                        guard output == nil, !value.hasPrefix("-") else { return nil }
                        output = value
                    }
                case "--orthographic":
                    orthographic = true
                    i += 1
                default:
                    guard input == nil, !a.hasPrefix("-") else { return nil }
                    input = a
                    i += 1
                }
            }
            guard let input, let output else { return nil }
            return (input, output, size, view, orthographic)
        }

        static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
            bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 3 && bytes[3] == 4
        }
    }
}

/// A regular, non-empty file mapped read-only (pages read ahead), or nil.
struct MappedFile {
    let base: UnsafeMutableRawPointer
    let count: Int

    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { Foundation.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let length = Int(info.st_size)
        guard length > 0, length <= ModelFile.maxFileBytes else { return nil }
        guard let map = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else {
            return nil
        }
        base = map
        count = length
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func close() { munmap(base, count) }
}

/// Makes malloc keep and reuse freed memory instead of returning it to the kernel, on
/// transparent huge pages.
///
/// A fresh process pays for every 4 KB page it first writes, and on the virtual machines
/// Vitrine is measured on that costs ~2.8 µs a page (a C loop writing 2,000 fresh pages):
/// a 124k-triangle thumbnail's ~7 MB of heap took ~1,900 faults, about as much time as its
/// rasterizing. glibc serves big blocks from fresh mappings and unmaps them on free,
/// so each phase's buffers (weld tables, then vertex records and sample bands, then PNG
/// rows) would fault anew; kept in one never-trimmed heap, later phases reuse the pages
/// earlier ones touched. On 2 MB pages the same heap takes a handful of faults of ~0.1 ms
/// (~1,900 → ~40 faults; the thumbnail 13% faster, paired runs).
/// If the kernel has no huge pages to give, it falls back to 4 KB pages: slower, not wrong.
/// Only for one-shot processes: it changes malloc for the whole process.
enum HeapReuse {
    /// Blocks `enable` keeps in globals so the compiler cannot drop their malloc and free.
    nonisolated(unsafe) static var grown: UnsafeMutableRawPointer?
    nonisolated(unsafe) static var padding: UnsafeMutableRawPointer?

    static func enable() {
        // glibc's parameters (malloc.h; the Glibc module does not export `mallopt`).
        _ = mallopt(-8, 1)  // M_ARENA_MAX: worker threads allocate from the main heap too
        _ = mallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD: no separate mappings for big blocks
        _ = mallopt(-1, Int32.max)  // M_TRIM_THRESHOLD: never give the heap back
        // M_TOP_PAD: grow the heap 64 MB (of address space, not memory) at a time. Each brk
        // takes the address-space lock for writing, which stalled the other thread's page
        // faults: the weld's two jobs ran one after the other.
        _ = mallopt(-2, 64 << 20)
        // Huge pages: a block that is never touched moves the heap's end to a 2 MB boundary,
        // the heap grows by 256 MB of address space (memory only as written), and that range
        // is marked MADV_HUGEPAGE before anything in it is written (a 2 MB range with one 4 KB
        // page mapped stays in 4 KB pages: an earlier try that let malloc write its header
        // there first measured no faster).
        let huge = 2 << 20, reserve = 256 << 20
        // Bigger than any block freed so far, so it is cut from the heap's end.
        let probe = malloc(256 << 10)
        let here = Int(bitPattern: probe)
        free(probe)
        guard here != 0 else { return }
        var start = (here + huge - 1) & ~(huge - 1)
        if start - here < 32 { start += huge }
        // A chunk starts 16 bytes before its block and spans `size + 8` rounded up to 16: the
        // next chunk starts at `start - 16`, its header still in the page below `start`.
        padding = malloc(start - here - 8)
        grown = malloc(reserve)
        free(grown)
        guard let top = sbrk(0), Int(bitPattern: top) >= start + reserve else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), reserve, 14)  // MADV_HUGEPAGE
    }
}

@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
