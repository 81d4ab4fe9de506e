import MeshCore

// The C ABI that Web/vitrine.js calls. Every export is `@_cdecl("vitrine_…")`;
// scripts/build-wasm.sh exports exactly the names found here (plus the allocator's
// `vitrine_alloc`, `vitrine_free` and `vitrine_heap_stats`, defined in WasmAllocator).
// Pointers and sizes are wasm32 `i32`; JS must read pointers as unsigned (`>>> 0`).

/// Parses a mesh file held in linear memory at `bytes` (`length` bytes). `hint` points to
/// `hintLength` bytes of a file extension such as "stl" (may be null / 0) used only when
/// the content is ambiguous. Returns a mesh handle, or 0 with `vitrine_last_error_*` set.
/// The input buffer is not retained: the caller may free it right after.
@_cdecl("vitrine_parse")
public func vitrine_parse(
    _ bytes: UnsafeRawPointer?, _ length: Int, _ hint: UnsafeRawPointer?, _ hintLength: Int
) -> Int32 {
    parse(bytes, length, hint, hintLength, welding: true)
}

/// As `vitrine_parse`, but a binary STL keeps three vertices per facet instead of being
/// welded: several times faster for callers that need only the triangles (case generation),
/// at 36 instead of ~18 bytes per triangle. Other formats are welded either way.
@_cdecl("vitrine_parse_triangles")
public func vitrine_parse_triangles(
    _ bytes: UnsafeRawPointer?, _ length: Int, _ hint: UnsafeRawPointer?, _ hintLength: Int
) -> Int32 {
    parse(bytes, length, hint, hintLength, welding: false)
}

private func parse(
    _ bytes: UnsafeRawPointer?, _ length: Int, _ hint: UnsafeRawPointer?, _ hintLength: Int, welding: Bool
) -> Int32 {
    guard length >= 0, hintLength >= 0 else {
        MeshTable.fail("negative length")
        return 0
    }
    let input = UnsafeRawBufferPointer(start: length > 0 ? bytes : nil, count: bytes == nil ? 0 : length)
    var ext: String? = nil
    if let hint, hintLength > 0 {
        let hintBytes = UnsafeRawBufferPointer(start: hint, count: hintLength)
        ext = String(decoding: hintBytes, as: UTF8.self)
    }
    switch WasmBridge.read(input, fileExtension: ext, welding: welding) {
    case .success(let mesh, let format):
        MeshTable.lastError = []
        return MeshTable.insert(MeshEntry(mesh: mesh, format: format))
    case .failure(let message):
        MeshTable.fail(message)
        return 0
    }
}

/// Address of the UTF-8 message of the last failed call (valid until the next call).
@_cdecl("vitrine_last_error_ptr")
public func vitrine_last_error_ptr() -> UnsafeRawPointer? {
    MeshTable.lastError.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Length in bytes of the last error message (0 when the last call succeeded).
@_cdecl("vitrine_last_error_len")
public func vitrine_last_error_len() -> Int {
    MeshTable.lastError.count
}

/// Number of triangles of mesh `handle` (-1 for an unknown handle).
@_cdecl("vitrine_mesh_triangle_count")
public func vitrine_mesh_triangle_count(_ handle: Int32) -> Int {
    MeshTable.entry(handle)?.mesh.triangleCount ?? -1
}

/// Number of (welded) vertices of mesh `handle` (-1 for an unknown handle).
@_cdecl("vitrine_mesh_vertex_count")
public func vitrine_mesh_vertex_count(_ handle: Int32) -> Int {
    MeshTable.entry(handle)?.mesh.vertexCount ?? -1
}

/// Number of vertex corners the file stored before welding (-1 for an unknown handle).
@_cdecl("vitrine_mesh_source_vertex_count")
public func vitrine_mesh_source_vertex_count(_ handle: Int32) -> Int {
    MeshTable.entry(handle)?.mesh.sourceVertexCount ?? -1
}

/// Format code of mesh `handle`: 1 stl-binary, 2 stl-ascii, 3 obj, 4 ply (0: unknown handle).
@_cdecl("vitrine_mesh_format")
public func vitrine_mesh_format(_ handle: Int32) -> Int32 {
    MeshTable.entry(handle)?.format ?? 0
}

/// Address of `3 * vertexCount` Float32 positions (x, y, z per vertex, file units),
/// valid until the mesh is released. Null for an unknown handle or an empty mesh.
@_cdecl("vitrine_mesh_positions_ptr")
public func vitrine_mesh_positions_ptr(_ handle: Int32) -> UnsafeRawPointer? {
    guard let entry = MeshTable.entry(handle) else { return nil }
    return entry.mesh.positions.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Address of `3 * triangleCount` UInt32 vertex indices (counter-clockwise seen from
/// outside), valid until the mesh is released. Null for an unknown handle or an empty mesh.
@_cdecl("vitrine_mesh_indices_ptr")
public func vitrine_mesh_indices_ptr(_ handle: Int32) -> UnsafeRawPointer? {
    guard let entry = MeshTable.entry(handle) else { return nil }
    return entry.mesh.indices.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Number of Float64 slots `vitrine_analyze` writes.
@_cdecl("vitrine_analysis_slots")
public func vitrine_analysis_slots() -> Int { AnalysisLayout.count }

/// Analyzes mesh `handle` and writes `vitrine_analysis_slots()` Float64 values at `out`
/// (8-byte aligned) in the order of `AnalysisLayout`. Returns 1, or 0 for an unknown handle.
/// Also records the unit guess, read with `vitrine_unit_reason_*`.
@_cdecl("vitrine_analyze")
public func vitrine_analyze(_ handle: Int32, _ out: UnsafeMutableRawPointer?) -> Int32 {
    guard let entry = MeshTable.entry(handle), let out else {
        MeshTable.fail("unknown mesh handle \(handle)")
        return 0
    }
    let values = out.bindMemory(to: Double.self, capacity: AnalysisLayout.count)
    for i in 0..<AnalysisLayout.count { values[i] = 0 }
    let unitReason = WasmBridge.analyze(entry.mesh, into: values)
    entry.unitReason = Array(unitReason.utf8)
    return 1
}

/// Address of the UTF-8 reason of the unit guess made by the last `vitrine_analyze` of
/// this mesh (null before any analysis).
@_cdecl("vitrine_unit_reason_ptr")
public func vitrine_unit_reason_ptr(_ handle: Int32) -> UnsafeRawPointer? {
    guard let entry = MeshTable.entry(handle) else { return nil }
    return entry.unitReason.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// Length in bytes of the unit-guess reason (0 before any analysis).
@_cdecl("vitrine_unit_reason_len")
public func vitrine_unit_reason_len(_ handle: Int32) -> Int {
    MeshTable.entry(handle)?.unitReason.count ?? 0
}

/// Frees mesh `handle` and everything it holds. Returns 1, or 0 for an unknown handle.
@_cdecl("vitrine_mesh_release")
public func vitrine_mesh_release(_ handle: Int32) -> Int32 {
    MeshTable.release(handle) ? 1 : 0
}

/// Number of live mesh handles (for leak checks).
@_cdecl("vitrine_mesh_live_count")
public func vitrine_mesh_live_count() -> Int {
    var n = 0
    for slot in MeshTable.slots where slot != nil { n += 1 }
    return n
}
