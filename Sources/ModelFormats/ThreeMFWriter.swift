import Foundation
import MeshCore
import MeshIO

extension ThreeMF {
    /// Writes meshes (in millimetres) as a 3MF package: one object and one build item per
    /// mesh, deflate-compressed. With a `unit` other than millimetres the coordinates are
    /// converted into it and the model declares it. Numbers are written with the shortest
    /// text that reads back to the same Float, so `read` returns the same coordinates.
    public static func write(
        objects: [(name: String, mesh: TriangleMesh)], unit: LengthUnit = .millimetre
    ) throws(ThreeMFError) -> Data {
        let model: [UInt8]
        if unit == .millimetre {
            try validate(objects)
            model = ThreeMFStoredWriter.modelXML(objects: objects)
        } else {
            model = try modelXML(objects: objects, unit: unit)
        }
        var zip = DeflateZip()
        try zip.add("[Content_Types].xml", Array(contentTypes.utf8))
        try zip.add("_rels/.rels", Array(relationships.utf8))
        try zip.add("3D/3dmodel.model", model)
        return Data(zip.finish())
    }

    /// The checks `modelXML` makes as it writes, for the fast millimetre path.
    static func validate(_ objects: [(name: String, mesh: TriangleMesh)]) throws(ThreeMFError) {
        for object in objects {
            let mesh = object.mesh
            for v in 0..<mesh.vertexCount where !mesh.position(v).isFinite {
                throw ThreeMFError("cannot write 3MF: vertex \(v) of \"\(object.name)\" has a non-finite coordinate")
            }
            let n = UInt32(mesh.vertexCount)
            for (t, i) in mesh.indices.enumerated() where i >= n {
                throw ThreeMFError("cannot write 3MF: triangle \(t / 3) of \"\(object.name)\" refers to a missing vertex")
            }
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
