import ArgumentParser
import Foundation
import MeshAnalysis
import MeshCore
import MeshIO
import VitrineKit

/// Benchmarks: `vitrine-bench load FILE…` times read+weld+analysis and compares with Python peers.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vitrine-bench",
        abstract: "Vitrine benchmarks (run with `swift run -c release vitrine-bench …`).",
        subcommands: [Load.self, BenchCase.self]
    )
}

/// Wall-clock seconds since an arbitrary start.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Peak resident memory of this process in MiB (VmHWM from /proc).
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time load + weld + analysis per file (best of --repeats), and the same files through numpy-stl and trimesh."
    )

    @Argument(help: "Mesh files.") var files: [String]
    @Option(help: "Runs per file; the best is reported.") var repeats = 5
    @Flag(name: .customLong("no-peers"), help: "Skip the Python peers.") var noPeers = false
    @Flag(help: "Also time loading (read+parse+weld) and analysis separately.") var breakdown = false

    /// Best-of-N times of the two stages as the CLI runs them: `ModelFile.load` (mapped read,
    /// parse, weld on all cores) and `MeshAnalyzer.analyze` (all cores), plus a serial parse.
    func printBreakdown(_ file: String) throws {
        var load = Double.infinity, analyze = Double.infinity, serial = Double.infinity
        for _ in 0..<max(1, repeats) {
            var t = now()
            let model = try ModelFile.load(path: file)
            load = min(load, now() - t)
            t = now()
            _ = MeshAnalyzer.analyze(model.mesh, runner: .cores)
            analyze = min(analyze, now() - t)
            let mapped = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
            t = now()
            _ = try mapped.withUnsafeBytes { try MeshReader.read($0, fileExtension: (file as NSString).pathExtension).mesh }
            serial = min(serial, now() - t)
        }
        print("    load (read+parse+weld) \(Format.fixed(load * 1000, 1)) ms, analysis \(Format.fixed(analyze * 1000, 1)) ms; parse+weld on one core \(Format.fixed(serial * 1000, 1)) ms")
    }

    func run() throws {
        print("file                      MB     triangles  load+weld+analysis  MB/s     Mtri/s  | numpy-stl  trimesh   | vs numpy-stl  vs trimesh")
        for file in files {
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)??.doubleValue ?? 0
            var best = Double.infinity
            var triangles = 0
            var watertight = false
            for _ in 0..<max(1, repeats) {
                let start = now()
                let model = try ModelFile.load(path: file)
                let report = MeshAnalyzer.analyze(model.mesh, runner: .cores)
                best = min(best, now() - start)
                triangles = report.triangles
                watertight = report.watertight
            }
            let mb = bytes / 1_000_000
            var line = pad((file as NSString).lastPathComponent, 24) + " " + pad(Format.fixed(mb, 1), 6) + " " + pad(Format.grouped(triangles), 10)
                + "  " + pad(Format.fixed(best * 1000, 1) + " ms", 18) + "  " + pad(Format.fixed(mb / best, 0), 7)
                + "  " + pad(Format.fixed(Double(triangles) / best / 1e6, 1), 6)
            if !noPeers, let peers = runPeers(file) {
                let np = peers["numpy_stl_s"] as? Double
                let tm = peers["trimesh_s"] as? Double
                line += " | " + pad(np.map { Format.fixed($0 * 1000, 0) + " ms" } ?? "-", 9) + "  " + pad(tm.map { Format.fixed($0 * 1000, 0) + " ms" } ?? "-", 9)
                line += " | " + pad(np.map { Format.fixed($0 / best, 2) + "x" } ?? "-", 12) + "  " + (tm.map { Format.fixed($0 / best, 1) + "x" } ?? "-")
            }
            print(line + (watertight ? "" : "  (not watertight)"))
            if breakdown { try printBreakdown(file) }
        }
        print("peak memory: \(Format.fixed(peakMemoryMiB(), 0)) MiB (this process; peers run in their own)")
    }

    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }

    /// Runs Benchmarks/peers.py on `file`; nil (with a message) when Python or the peers are missing.
    func runPeers(_ file: String) -> [String: Any]? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Benchmarks/peers.py").standardized.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, file, String(max(1, repeats / 2))]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { print("  peers: cannot run python3: \(error)"); return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            print("  peers: no result (pip install numpy-stl trimesh)")
            return nil
        }
        return object
    }
}
