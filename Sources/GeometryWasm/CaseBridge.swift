import CaseGen
import MeshCore

/// Outcome of a case generation, without `any Error`.
enum CaseOutcome {
    case success(CaseEntry)
    case failure(String)
}

/// Mirrors VitrineKit's `CaseJob` (which the CLI uses) for the browser: scale to mm, turn the
/// chosen axis to +z, run the engine, turn the parts back, and lay them out.
enum CaseBridge {
    /// Largest and smallest minis a case makes sense for, in millimetres (as the CLI).
    static let saneSize: ClosedRange<Float> = 5...300

    /// Runs the style coded in the options on `meshes` (one, or several for a tray), each
    /// scaled and turned to +z up like the CLI, and lays the parts out.
    static func generate(_ meshes: [TriangleMesh], options o: UnsafePointer<Double>) -> CaseOutcome {
        typealias L = CaseOptionsLayout
        let style = o[L.style]
        guard style == 0 || style == 1 || style == 2 else {
            return .failure("unknown case style code \(Int(style.isFinite && style.magnitude < 1000 ? style : -1)): use 0 (clamshell), 1 (lid) or 2 (tray)")
        }
        if meshes.isEmpty { return .failure("no mini given") }
        if meshes.count > 1 && style != 2 {
            return .failure("the " + (style == 0 ? "clamshell" : "lid") + " style takes one mini, got \(meshes.count); use the tray style (2) to pack several minis in one case")
        }
        let scale = o[L.scale]
        guard scale.isFinite, scale > 0 else { return .failure("scale must be a positive number of millimetres per file unit") }
        guard let up = upTransform(o[L.upAxis]) else { return .failure("unknown up-axis code: use 0 +z, 1 +y, 2 +x, 3 -z, 4 -y, 5 -x") }
        var options = CaseOptions()
        options.clearance = Float(o[L.clearance])
        options.wall = Float(o[L.wall])
        options.resolution = Float(o[L.resolution])
        let pins = o[L.pins]
        options.pins = pins.isFinite && pins.magnitude < 1000 ? Int(pins) : -1
        options.partingOffset = o[L.partingOffset].isNaN ? nil : Float(o[L.partingOffset])
        options.fingerNotch = o[L.fingerNotch] != 0
        let magnetD = o[L.magnetDiameter], magnetH = o[L.magnetHeight]
        if magnetD.isNaN != magnetH.isNaN {
            return .failure("magnets need both a diameter and a height in mm (like 6x2), or neither")
        }
        if !magnetD.isNaN {
            // Out-of-range values (infinities included) are the engine's to name.
            options.magnets = MagnetSize(diameter: Float(magnetD), height: Float(magnetH))
        }
        switch text("label", address: o[L.labelPtr], length: o[L.labelLength]) {
        case .none: break
        case .text(let label): options.label = label
        case .failure(let message): return .failure(message)
        }
        switch text("mark", address: o[L.markPtr], length: o[L.markLength]) {
        case .none: break
        case .text(let mark): options.mark = mark
        case .failure(let message): return .failure(message)
        }

        var minis: [TriangleMesh] = []
        for (index, mesh) in meshes.enumerated() {
            let raw = mesh.bounds.size
            let largest = Float(Double(max(raw.x, max(raw.y, raw.z))) * scale)
            if !saneSize.contains(largest) {
                return .failure(
                    (meshes.count > 1 ? "mini \(index + 1): " : "") + "the mini is " + ASCII.decimal(Double(largest), fractionDigits: 2)
                        + " mm across, outside the 5–300 mm a case is made for; is the scale right?")
            }
            minis.append(mesh.transformed(by: up.composed(after: .scale(Float(scale)))))
        }
        let result: CaseResult
        do throws(CaseError) {
            let progress: (Float) -> Void = { vitrine_progress($0) }
            switch style {
            case 0: result = try CaseGenerator.clamshell(minis[0], options: options, runner: .serial, progress: progress)
            case 1: result = try CaseGenerator.lid(minis[0], options: options, runner: .serial, progress: progress)
            default: result = try CaseGenerator.tray(minis, options: options, runner: .serial, progress: progress)
            }
        } catch {
            return .failure(error.message)
        }
        let back = PartPlacement.inverseRotation(up)
        var parts: [(name: String, mesh: TriangleMesh, extraction: Vec3)] = []
        let plate = o[L.layout] == 1
        for part in result.parts {
            if plate {
                parts.append((part.name, PartPlacement.layFlat(part.mesh, extraction: part.extraction), back.apply(part.extraction)))
            } else {
                parts.append((part.name, part.mesh.transformed(by: back), back.apply(part.extraction)))
            }
        }
        if plate { PartPlacement.spreadAlongX(&parts, gap: 5) }
        return .success(CaseEntry(parts: parts, warnings: result.warnings, resolution: result.resolution))
    }

    enum TextSlot {
        case none
        case text(String)
        case failure(String)
    }

    /// Longest label or mark in bytes (the engine's limit, `Engraving.validate`).
    static let longestText = 64

    /// The label or mark whose UTF-8 bytes the options record points at. Checked here on the
    /// raw bytes, with the engine's own messages, before any String is made: a length the
    /// record merely claims is never read past the limit, and invalid UTF-8 cannot turn into
    /// replacement characters that would shift the reported length.
    static func text(_ name: String, address: Double, length: Double) -> TextSlot {
        func whole(_ v: Double) -> Bool { v.isFinite && v >= 0 && v < 4_294_967_296 && v == v.rounded(.towardZero) }
        guard whole(address), whole(length) else {
            return .failure(name + " must be given as a whole address and byte length in wasm memory")
        }
        // UInt64, not Int: Int is 32 bits on wasm32, and 2³¹ bytes claimed must not trap.
        let claimed = UInt64(length)
        if address == 0 && claimed == 0 { return .none }
        if address == 0 { return .failure(name + " of \(claimed) bytes has no address") }
        if claimed == 0 { return .failure(name + " is empty") }
        if claimed > UInt64(longestText) { return .failure(name + " is \(claimed) characters long; use at most \(longestText)") }
        let count = Int(claimed)
        guard let start = UnsafeRawPointer(bitPattern: UInt(address)) else { return .failure(name + " has no address") }
        let bytes = UnsafeRawBufferPointer(start: start, count: count)
        for (n, b) in bytes.enumerated() where !BuiltinFont.isPrintable(b) {
            return .failure(name + " has a character without a glyph at position \(n + 1) (only printable ASCII is engraved)")
        }
        return .text(String(decoding: bytes, as: UTF8.self))
    }

    /// A proper rotation taking the coded axis to +z (as `UpAxis.toZUp` in VitrineKit).
    static func upTransform(_ code: Double) -> Transform? {
        switch code {
        case 0: return .identity
        case 1: return Transform(rows: (1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0))
        case 2: return Transform(rows: (0, 0, -1, 0), (0, 1, 0, 0), (1, 0, 0, 0))
        case 3: return Transform(rows: (1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0))
        case 4: return Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
        case 5: return Transform(rows: (0, 0, 1, 0), (0, 1, 0, 0), (-1, 0, 0, 0))
        default: return nil
        }
    }
}
