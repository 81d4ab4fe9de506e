import CaseGen
import MeshCore
import MeshIO

// Case generation for the browser: `vitrine_case_generate` runs the engine (clamshell, lid,
// or tray) on parsed meshes and keeps the parts in a result table; JS reads them out of linear memory and
// asks for a stored-zip 3MF of them. Progress goes out through the imported
// `env.vitrine_progress(f32)` (Web/vitrine.js supplies it).

/// Slot indices of the Float64 options record `vitrine_case_generate` reads (Web/vitrine.js
/// mirrors this list; append new slots at the end).
enum CaseOptionsLayout {
    /// 0 = clamshell, 1 = lid, 2 = tray (several minis: `vitrine_case_generate_tray`).
    static let style = 0
    static let clearance = 1          // mm
    static let wall = 2               // mm
    static let resolution = 3         // mm
    static let pins = 4               // 0…4
    /// mm along +y from the front of the mini (engine frame); NaN picks the plane automatically.
    static let partingOffset = 5
    static let fingerNotch = 6        // 0 or 1
    /// Which input axis points up: 0 +z, 1 +y, 2 +x, 3 −z, 4 −y, 5 −x.
    static let upAxis = 7
    /// Millimetres per file unit (1 for mm files, 25.4 for inches, …).
    static let scale = 8
    /// 0 = assembled (parts around the mini, input axes, mm), 1 = plate (flat on the bed, side by side).
    static let layout = 9
    /// Magnet diameter and height in mm (`--magnets DxH`); both NaN = no magnets.
    static let magnetDiameter = 10
    static let magnetHeight = 11
    /// Label text engraved across the back (`--label`): address and byte length of UTF-8 in
    /// wasm memory; 0 and 0 = no label. Printable ASCII, 1…64 bytes, as the engine checks.
    static let labelPtr = 12
    static let labelLength = 13
    /// The small mark engraved in a corner of the back (`--mark`, trial output), as the label.
    static let markPtr = 14
    static let markLength = 15
    static let count = 16
}

#if arch(wasm32) && hasFeature(Extern)
@_extern(wasm, module: "env", name: "vitrine_progress")
func vitrine_progress(_ fraction: Float)
#else
/// Native builds (and wasm builds without the Extern feature) have no JS to tell.
func vitrine_progress(_ fraction: Float) {}
#endif

/// One generated case kept alive for JavaScript between calls; arrays are never mutated
/// after creation, so exported pointers stay valid until `vitrine_case_release`.
final class CaseEntry {
    let parts: [(name: String, mesh: TriangleMesh, extraction: Vec3)]
    let nameBytes: [[UInt8]]
    let warnings: [[UInt8]]
    let resolution: Float
    var threeMF: [UInt8]? = nil

    init(parts: [(name: String, mesh: TriangleMesh, extraction: Vec3)], warnings: [String], resolution: Float) {
        self.parts = parts
        self.nameBytes = parts.map { Array($0.name.utf8) }
        self.warnings = warnings.map { Array($0.utf8) }
        self.resolution = resolution
    }
}

enum CaseTable {
    nonisolated(unsafe) static var slots: [CaseEntry?] = []

    static func insert(_ entry: CaseEntry) -> Int32 {
        if let free = slots.firstIndex(where: { $0 == nil }) {
            slots[free] = entry
            return Int32(free + 1)
        }
        slots.append(entry)
        return Int32(slots.count)
    }

    /// The handle of a generated case, or 0 with the failure as the last error.
    static func store(_ outcome: CaseOutcome) -> Int32 {
        switch outcome {
        case .success(let result):
            MeshTable.lastError = []
            return insert(result)
        case .failure(let message):
            MeshTable.fail(message)
            return 0
        }
    }

    static func entry(_ handle: Int32) -> CaseEntry? {
        let i = Int(handle) - 1
        guard i >= 0, i < slots.count else { return nil }
        return slots[i]
    }

    static func part(_ handle: Int32, _ index: Int32) -> (name: String, mesh: TriangleMesh, extraction: Vec3)? {
        guard let e = entry(handle), index >= 0, Int(index) < e.parts.count else { return nil }
        return e.parts[Int(index)]
    }
}

/// Number of Float64 slots of the options record.
@_cdecl("vitrine_case_option_slots")
public func vitrine_case_option_slots() -> Int { CaseOptionsLayout.count }

/// Generates a case around mesh `meshHandle` with the `CaseOptionsLayout` record at
/// `options` (8-byte aligned Float64s; all `vitrine_case_option_slots()` of them are read, and
/// the label and mark bytes they point at must stay put until the call returns). Returns a case handle, or 0 with
/// `vitrine_last_error_*` set. Calls `env.vitrine_progress` with fractions 0…1.
@_cdecl("vitrine_case_generate")
public func vitrine_case_generate(_ meshHandle: Int32, _ options: UnsafeRawPointer?) -> Int32 {
    guard let entry = MeshTable.entry(meshHandle) else {
        MeshTable.fail("unknown mesh handle \(meshHandle)")
        return 0
    }
    guard let options else {
        MeshTable.fail("no case options given")
        return 0
    }
    let o = options.bindMemory(to: Double.self, capacity: CaseOptionsLayout.count)
    return CaseTable.store(CaseBridge.generate([entry.mesh], options: o))
}

/// Generates a tray (style 2 in the options record; any other style takes exactly one mesh)
/// around the `count` minis whose mesh handles (i32) are at `handles`, packed in that order.
/// Returns a case handle, or 0 with `vitrine_last_error_*` set.
@_cdecl("vitrine_case_generate_tray")
public func vitrine_case_generate_tray(_ handles: UnsafeRawPointer?, _ count: Int32, _ options: UnsafeRawPointer?) -> Int32 {
    guard let handles, count > 0, count <= 64 else {
        MeshTable.fail("a tray needs 1 to 64 mesh handles, got \(count)")
        return 0
    }
    guard let options else {
        MeshTable.fail("no case options given")
        return 0
    }
    let h = handles.bindMemory(to: Int32.self, capacity: Int(count))
    var meshes: [TriangleMesh] = []
    for i in 0..<Int(count) {
        guard let entry = MeshTable.entry(h[i]) else {
            MeshTable.fail("unknown mesh handle \(h[i]) (mini \(i + 1))")
            return 0
        }
        meshes.append(entry.mesh)
    }
    let o = options.bindMemory(to: Double.self, capacity: CaseOptionsLayout.count)
    return CaseTable.store(CaseBridge.generate(meshes, options: o))
}

/// Number of parts of case `handle` (-1 for an unknown handle).
@_cdecl("vitrine_case_part_count")
public func vitrine_case_part_count(_ handle: Int32) -> Int { CaseTable.entry(handle)?.parts.count ?? -1 }

/// Vertex count of part `index` (-1 when unknown).
@_cdecl("vitrine_case_part_vertex_count")
public func vitrine_case_part_vertex_count(_ handle: Int32, _ index: Int32) -> Int {
    CaseTable.part(handle, index)?.mesh.vertexCount ?? -1
}

/// Triangle count of part `index` (-1 when unknown).
@_cdecl("vitrine_case_part_triangle_count")
public func vitrine_case_part_triangle_count(_ handle: Int32, _ index: Int32) -> Int {
    CaseTable.part(handle, index)?.mesh.triangleCount ?? -1
}

/// Address of part `index`'s 3 × f32 positions (mm), valid until `vitrine_case_release`.
@_cdecl("vitrine_case_part_positions_ptr")
public func vitrine_case_part_positions_ptr(_ handle: Int32, _ index: Int32) -> UnsafeRawPointer? {
    guard let e = CaseTable.entry(handle), index >= 0, Int(index) < e.parts.count else { return nil }
    return e.parts[Int(index)].mesh.positions.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Address of part `index`'s 3 × u32 indices (CCW outward), valid until `vitrine_case_release`.
@_cdecl("vitrine_case_part_indices_ptr")
public func vitrine_case_part_indices_ptr(_ handle: Int32, _ index: Int32) -> UnsafeRawPointer? {
    guard let e = CaseTable.entry(handle), index >= 0, Int(index) < e.parts.count else { return nil }
    return e.parts[Int(index)].mesh.indices.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Address of part `index`'s UTF-8 name ("front", "back"; "base", "lid").
@_cdecl("vitrine_case_part_name_ptr")
public func vitrine_case_part_name_ptr(_ handle: Int32, _ index: Int32) -> UnsafeRawPointer? {
    guard let e = CaseTable.entry(handle), index >= 0, Int(index) < e.parts.count else { return nil }
    return e.nameBytes[Int(index)].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Length of part `index`'s name in bytes (-1 when unknown).
@_cdecl("vitrine_case_part_name_len")
public func vitrine_case_part_name_len(_ handle: Int32, _ index: Int32) -> Int {
    guard let e = CaseTable.entry(handle), index >= 0, Int(index) < e.parts.count else { return -1 }
    return e.nameBytes[Int(index)].count
}

/// Writes part `index`'s extraction direction (unit vector, 3 × f32, the layout's axes) at
/// `out`. Returns 1, or 0 when unknown.
@_cdecl("vitrine_case_part_extraction")
public func vitrine_case_part_extraction(_ handle: Int32, _ index: Int32, _ out: UnsafeMutableRawPointer?) -> Int32 {
    guard let part = CaseTable.part(handle, index), let out else { return 0 }
    let f = out.bindMemory(to: Float.self, capacity: 3)
    f[0] = part.extraction.x; f[1] = part.extraction.y; f[2] = part.extraction.z
    return 1
}

/// Grid cell size the engine used, in mm (may be coarser than asked; -1 when unknown).
@_cdecl("vitrine_case_resolution")
public func vitrine_case_resolution(_ handle: Int32) -> Float { CaseTable.entry(handle)?.resolution ?? -1 }

/// Number of warnings of case `handle` (-1 when unknown).
@_cdecl("vitrine_case_warning_count")
public func vitrine_case_warning_count(_ handle: Int32) -> Int { CaseTable.entry(handle)?.warnings.count ?? -1 }

/// Address of warning `index` (UTF-8).
@_cdecl("vitrine_case_warning_ptr")
public func vitrine_case_warning_ptr(_ handle: Int32, _ index: Int32) -> UnsafeRawPointer? {
    guard let e = CaseTable.entry(handle), index >= 0, Int(index) < e.warnings.count else { return nil }
    return e.warnings[Int(index)].withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Length of warning `index` in bytes (-1 when unknown).
@_cdecl("vitrine_case_warning_len")
public func vitrine_case_warning_len(_ handle: Int32, _ index: Int32) -> Int {
    guard let e = CaseTable.entry(handle), index >= 0, Int(index) < e.warnings.count else { return -1 }
    return e.warnings[Int(index)].count
}

/// Address of a 3MF package (stored zip, mm) of all parts, made on first call and kept
/// until `vitrine_case_release`; its length is `vitrine_case_3mf_len`. Null when unknown.
@_cdecl("vitrine_case_3mf")
public func vitrine_case_3mf(_ handle: Int32) -> UnsafeRawPointer? {
    guard let e = CaseTable.entry(handle) else {
        MeshTable.fail("unknown case handle \(handle)")
        return nil
    }
    if e.threeMF == nil {
        e.threeMF = ThreeMFStoredWriter.write(objects: e.parts.map { (name: $0.name, mesh: $0.mesh) })
    }
    return e.threeMF!.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Length in bytes of the 3MF made by `vitrine_case_3mf` (0 before it, -1 when unknown).
@_cdecl("vitrine_case_3mf_len")
public func vitrine_case_3mf_len(_ handle: Int32) -> Int {
    guard let e = CaseTable.entry(handle) else { return -1 }
    return e.threeMF?.count ?? 0
}

/// Frees case `handle` and its 3MF. Returns 1, or 0 for an unknown handle.
@_cdecl("vitrine_case_release")
public func vitrine_case_release(_ handle: Int32) -> Int32 {
    let i = Int(handle) - 1
    guard i >= 0, i < CaseTable.slots.count, CaseTable.slots[i] != nil else { return 0 }
    CaseTable.slots[i] = nil
    while let last = CaseTable.slots.last, last == nil { CaseTable.slots.removeLast() }
    return 1
}

/// Number of live case handles (for leak checks).
@_cdecl("vitrine_case_live_count")
public func vitrine_case_live_count() -> Int {
    var n = 0
    for slot in CaseTable.slots where slot != nil { n += 1 }
    return n
}
