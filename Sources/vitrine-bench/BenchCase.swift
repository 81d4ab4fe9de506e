import ArgumentParser
import Foundation
import MeshCore
import MeshIO
import ModelFormats
import VitrineKit

/// `vitrine-bench case FILE`: the native case engine against the same engine in wasm under node.
struct BenchCase: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Time `vitrine case` natively (load + generate, in-process, best of --repeats) and in wasm under node, plus the two 3MF writers."
    )

    @Argument(help: "Mesh file.") var file: String
    @Option(help: "Grid cell size in mm.") var resolution: Float = 0.1
    @Option(help: "Input units as `vitrine case --units` (mm, cm, m, in, auto).") var units: String = "auto"
    @Option(help: "Runs; the best is reported.") var repeats = 3
    @Flag(name: .customLong("no-wasm"), help: "Skip the wasm run.") var noWasm = false

    func run() throws {
        guard let inputUnits = InputUnits(rawValue: units) else { throw ValidationError("unknown units \(units)") }
        var request = CaseRequest()
        request.units = inputUnits
        request.options.resolution = resolution
        var load = Double.infinity, generate = Double.infinity
        var output: CaseOutput?
        for _ in 0..<max(1, repeats) {
            let t0 = now()
            let model = try ModelFile.load(path: file)  // welded, as `vitrine case` loads (faster natively)
            let t1 = now()
            output = try CaseJob.run(model, request: request, clock: now)
            let t2 = now()
            load = min(load, t1 - t0)
            generate = min(generate, t2 - t1)
        }
        guard let output else { return }
        let objects = output.parts.map { (name: $0.name, mesh: $0.mesh) }
        var stored = Double.infinity, deflated = Double.infinity
        var storedBytes = 0, deflatedBytes = 0, crc = Double.infinity
        for _ in 0..<max(1, repeats) {
            var t = now()
            let bytes = ThreeMFStoredWriter.write(objects: objects)
            stored = min(stored, now() - t)
            storedBytes = bytes.count
            t = now()
            _ = CRC32.checksum(bytes)
            crc = min(crc, now() - t)
            t = now()
            deflatedBytes = try ThreeMF.write(objects: objects).count
            deflated = min(deflated, now() - t)
        }
        let triangles = output.parts.map { $0.mesh.triangleCount }
        let nativeMs = (load + generate + stored) * 1000
        print("file: \(file)  scale \(Format.fixed(output.scale, 4)) (units \(units)), resolution \(Format.fixed(Double(output.resolution), 3)) mm, parts \(triangles.map(Format.grouped).joined(separator: " + ")) triangles")
        for w in output.warnings { print("  warning: \(w)") }
        print("native (\(ProcessInfo.processInfo.activeProcessorCount) cores): load \(ms(load)), generate \(ms(generate)), stored 3MF \(ms(stored)) (\(mib(storedBytes)); its CRC-32 alone \(ms(crc))), deflate 3MF (ThreeMF.write) \(ms(deflated)) (\(mib(deflatedBytes)))")
        print("native total (load + generate + stored 3MF): \(Format.fixed(nativeMs, 0)) ms; peak memory \(Format.fixed(peakMemoryMiB(), 0)) MiB (VmHWM)")
        if noWasm { return }

        let root = Self.packageRoot()
        let script = root + "/Benchmarks/wasm-case.mjs"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["node", script, file, "--scale", "\(output.scale)", "--resolution", "\(resolution)", "--repeats", "\(repeats)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let parse = json["parse_ms"] as? Double, let kase = json["case_ms"] as? Double
        else {
            print("wasm: node run failed (status \(process.terminationStatus)); is Web/vitrine.wasm built (scripts/build-wasm.sh)?")
            return
        }
        let wasmMs = parse + kase
        let wasmTriangles = (json["triangles"] as? [Double])?.map { Int($0) } ?? []
        print("wasm (node, 1 core): parse \(Format.fixed(parse, 0)) ms, generate + stored 3MF \(Format.fixed(kase, 0)) ms, total \(Format.fixed(wasmMs, 0)) ms"
            + (wasmTriangles == triangles ? "" : "  (triangles differ: \(wasmTriangles))"))
        print("wasm peak: node rss \(Format.fixed(json["rss_mib"] as? Double ?? 0, 0)) MiB, wasm memory \(Format.fixed(json["wasm_memory_mib"] as? Double ?? 0, 0)) MiB")
        print("ratio wasm / native: \(Format.fixed(wasmMs / nativeMs, 2))x")
    }

    func ms(_ seconds: Double) -> String { Format.fixed(seconds * 1000, 1) + " ms" }
    func mib(_ bytes: Int) -> String { Format.fixed(Double(bytes) / 1_048_576, 1) + " MiB" }

    /// The package root: up from this source file until Package.swift.
    static func packageRoot() -> String {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }
}
