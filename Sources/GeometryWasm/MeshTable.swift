import MeshCore

/// One parsed mesh kept alive for JavaScript between calls.
///
/// JS reads `positions` and `indices` straight out of linear memory, so they are never
/// mutated while the entry lives: a Swift array that is not mutated keeps its storage
/// address, which makes the exported pointers stable until `vitrine_mesh_release`.
final class MeshEntry {
    let mesh: TriangleMesh
    let format: Int32
    /// UTF-8 text of the last unit guess for this mesh (filled by `vitrine_analyze`).
    var unitReason: [UInt8] = []

    init(mesh: TriangleMesh, format: Int32) {
        self.mesh = mesh
        self.format = format
    }
}

/// Handle table: handle `h` is slot `h - 1`; 0 is never a valid handle.
///
/// Wasm runs one thread per instance and JS calls in one at a time, so plain global state
/// is safe here.
enum MeshTable {
    nonisolated(unsafe) static var slots: [MeshEntry?] = []
    nonisolated(unsafe) static var lastError: [UInt8] = []

    static func insert(_ entry: MeshEntry) -> Int32 {
        // Reuse a released slot so the table does not grow over a long session.
        var i = 0
        while i < slots.count {
            if slots[i] == nil {
                slots[i] = entry
                return Int32(i + 1)
            }
            i += 1
        }
        slots.append(entry)
        return Int32(slots.count)
    }

    static func entry(_ handle: Int32) -> MeshEntry? {
        let i = Int(handle) - 1
        guard i >= 0, i < slots.count else { return nil }
        return slots[i]
    }

    static func release(_ handle: Int32) -> Bool {
        let i = Int(handle) - 1
        guard i >= 0, i < slots.count, slots[i] != nil else { return false }
        slots[i] = nil
        // Trailing empty slots can go, so a fresh session after many releases is small again.
        while let last = slots.last, last == nil { slots.removeLast() }
        return true
    }

    static func fail(_ message: String) {
        lastError = Array(message.utf8)
    }
}
