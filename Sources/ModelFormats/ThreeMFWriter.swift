import Foundation
import MeshCore
import ZIPFoundation

extension ThreeMF {
    /// Writes meshes (in millimetres) as a 3MF package: one object and one build item per
    /// mesh, deflate-compressed. With a `unit` other than millimetres the coordinates are
    /// converted into it and the model declares it. Numbers are written with the shortest
    /// text that reads back to the same Float, so `read` returns the same coordinates.
    public static func write(
        objects: [(name: String, mesh: TriangleMesh)], unit: LengthUnit = .millimetre
    ) throws(ThreeMFError) -> Data {
        let model = try modelXML(objects: objects, unit: unit)
        do {
            let archive = try Archive(accessMode: .create)
            // A fixed timestamp keeps output reproducible (same meshes, same bytes).
            let date = Date(timeIntervalSince1970: 946_684_800)
            for (path, bytes) in [
                ("[Content_Types].xml", Array(contentTypes.utf8)), ("_rels/.rels", Array(relationships.utf8)),
                ("3D/3dmodel.model", model),
            ] {
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: date,
                    compressionMethod: .deflate, bufferSize: 1 << 20
                ) { position, size in
                    Data(bytes[Int(position)..<Int(position) + size])
                }
            }
            guard let data = archive.data else { throw ThreeMFError("could not finish the 3MF archive") }
            return data
        } catch let e as ThreeMFError {
            throw e
        } catch {
            throw ThreeMFError("could not write the 3MF archive: \(error)")
        }
    }

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>\
        </Types>

        """

    static let relationships = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>\
        </Relationships>

        """

    /// The 3MF unit name for `unit`.
    static func unitName(_ unit: LengthUnit) -> String {
        switch unit {
        case .micron: return "micron"
        case .millimetre: return "millimeter"
        case .centimetre: return "centimeter"
        case .metre: return "meter"
        case .inch: return "inch"
        case .foot: return "foot"
        }
    }

    static func modelXML(objects: [(name: String, mesh: TriangleMesh)], unit: LengthUnit) throws(ThreeMFError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(objects.reduce(1024) { $0 + $1.mesh.vertexCount * 60 + $1.mesh.triangleCount * 50 })
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        func put(_ f: Float) {
            var s = f.description
            if s.hasSuffix(".0") { s.removeLast(2) }
            out.append(contentsOf: s.utf8)
        }
        let scale = unit == .millimetre ? nil : Float(1 / unit.millimetres)
        put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        put("<model unit=\"\(unitName(unit))\" xml:lang=\"en-US\" xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\">\n")
        put(" <resources>\n")
        for (k, object) in objects.enumerated() {
            let mesh = object.mesh
            put("  <object id=\"\(k + 1)\" name=\"\(escaped(object.name))\" type=\"model\">\n   <mesh>\n    <vertices>\n")
            for v in 0..<mesh.vertexCount {
                var p = mesh.position(v)
                if let scale { p = p * scale }
                guard p.isFinite else {
                    throw ThreeMFError("cannot write 3MF: vertex \(v) of \"\(object.name)\" has a non-finite coordinate")
                }
                put("     <vertex x=\""); put(p.x); put("\" y=\""); put(p.y); put("\" z=\""); put(p.z); put("\"/>\n")
            }
            put("    </vertices>\n    <triangles>\n")
            for t in 0..<mesh.triangleCount {
                let (a, b, c) = mesh.triangle(t)
                guard a < mesh.vertexCount && b < mesh.vertexCount && c < mesh.vertexCount else {
                    throw ThreeMFError("cannot write 3MF: triangle \(t) of \"\(object.name)\" refers to a missing vertex")
                }
                put("     <triangle v1=\"\(a)\" v2=\"\(b)\" v3=\"\(c)\"/>\n")
            }
            put("    </triangles>\n   </mesh>\n  </object>\n")
        }
        put(" </resources>\n <build>\n")
        for k in objects.indices { put("  <item objectid=\"\(k + 1)\"/>\n") }
        put(" </build>\n</model>\n")
        return out
    }

    /// `s` safe inside a double-quoted XML attribute.
    static func escaped(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default:
                if ch.value < 0x20 { continue }  // not representable in XML 1.0
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
