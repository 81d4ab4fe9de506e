import Foundation
import MeshCore
import Testing
import ZIPFoundation

@testable import ModelFormats

/// Shared helpers for the 3MF tests: locating the real sample meshes and building
/// small packages in code.
enum ThreeMFFixtures {
    /// The package root, found by walking up from this file to Package.swift.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    /// `../shared/meshes/public` next to the package.
    static let publicMeshes = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/meshes/public")

    static let manifest = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/meshes/MANIFEST.md")

    /// One 3MF row of MANIFEST.md.
    struct ManifestRow: Sendable, CustomTestStringConvertible {
        var file: String
        var triangles: Int
        var placed: Int
        /// Extent in file units, when given.
        var extent: [Double]?
        var testDescription: String { file }
    }

    /// The `3mf/…` rows of MANIFEST.md ("Triangles" is `N` or `N (placed M)`).
    static func manifestRows() -> [ManifestRow] {
        guard let text = try? String(contentsOf: manifest, encoding: .utf8) else { return [] }
        var rows: [ManifestRow] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `3mf/") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let file = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let counts = cells[6].replacingOccurrences(of: ",", with: "")
            let numbers = counts.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let extent = cells[8].split(separator: "x").compactMap { Double($0) }
            rows.append(
                ManifestRow(
                    file: file, triangles: numbers[0], placed: numbers.count > 1 ? numbers[1] : numbers[0],
                    extent: extent.count == 3 ? extent : nil))
        }
        return rows
    }

    static func sample(_ relative: String) throws -> Data {
        try Data(contentsOf: publicMeshes.appendingPathComponent(relative))
    }

    /// A ZIP archive of the given entries, deflated unless `stored`.
    static func zip(_ entries: [(String, [UInt8])], stored: Bool = false) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, bytes) in entries {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count),
                compressionMethod: stored ? .none : .deflate
            ) { position, size in
                Data(bytes[Int(position)..<Int(position) + size])
            }
        }
        return archive.data!
    }

    /// A minimal 3MF package whose root model part is `model`.
    static func package(model: String, extra: [(String, [UInt8])] = []) throws -> Data {
        try zip(
            [
                ("[Content_Types].xml", Array(ThreeMF.contentTypes.utf8)),
                ("_rels/.rels", Array(ThreeMF.relationships.utf8)),
                ("3D/3dmodel.model", Array(model.utf8)),
            ] + extra)
    }

    /// A model document with the core namespace around `body`.
    static func model(_ body: String, unit: String = "millimeter", extraNamespaces: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <model unit="\(unit)" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"\(extraNamespaces)>
        \(body)
        </model>
        """
    }

    /// An object with one tetrahedron (4 vertices, 4 triangles), corner at `origin`.
    static func tetrahedron(id: Int, origin: (Int, Int, Int) = (0, 0, 0)) -> String {
        let (x, y, z) = origin
        return """
              <object id="\(id)" name="tet \(id)" type="model">
               <mesh>
                <vertices>
                 <vertex x="\(x)" y="\(y)" z="\(z)"/>
                 <vertex x="\(x + 1)" y="\(y)" z="\(z)"/>
                 <vertex x="\(x)" y="\(y + 1)" z="\(z)"/>
                 <vertex x="\(x)" y="\(y)" z="\(z + 1)"/>
                </vertices>
                <triangles>
                 <triangle v1="0" v2="2" v3="1"/>
                 <triangle v1="0" v2="1" v3="3"/>
                 <triangle v1="0" v2="3" v3="2"/>
                 <triangle v1="1" v2="2" v3="3"/>
                </triangles>
               </mesh>
              </object>
            """
    }

    /// Rewrites the sizes that both the local header and the central directory declare for
    /// `name`, leaving the data alone (an archive that lies about its contents).
    static func patchingSizes(of name: String, in data: Data, uncompressed: UInt32? = nil, compressed: UInt32? = nil) -> Data {
        var bytes = [UInt8](data)
        let nameBytes = Array(name.utf8)
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func put32(_ v: UInt32, _ o: Int) {
            for k in 0..<4 { bytes[o + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
        }
        // Only the archive's headers are scanned: the entries here are small or highly
        // repetitive, and the signatures are checked together with the name that follows.
        var i = 0
        while i + 46 < bytes.count {
            let sig = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            if sig == 0x0403_4b50, i + 30 + u16(i + 26) <= bytes.count,
                Array(bytes[(i + 30)..<(i + 30 + u16(i + 26))]) == nameBytes
            {
                if let c = compressed { put32(c, i + 18) }
                if let u = uncompressed { put32(u, i + 22) }
            }
            if sig == 0x0201_4b50, i + 46 + u16(i + 28) <= bytes.count,
                Array(bytes[(i + 46)..<(i + 46 + u16(i + 28))]) == nameBytes
            {
                if let c = compressed { put32(c, i + 20) }
                if let u = uncompressed { put32(u, i + 24) }
            }
            i += 1
        }
        return Data(bytes)
    }

    /// Reads `data`, returning the error message (nil when it read).
    static func failure(_ data: Data, limits: ThreeMFLimits = ThreeMFLimits()) -> String? {
        do {
            _ = try ThreeMF.read(data: data, limits: limits)
            return nil
        } catch {
            return error.message
        }
    }
}
