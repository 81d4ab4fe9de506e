import MeshCore

/// Where a build item or component points: an object id, in the same part unless the
/// production extension's `p:path` names another model part.
struct ThreeMFReference {
    /// The part name as written (`/3D/other.model`), or nil for the same part.
    var path: String?
    var objectID: Int
    /// Already in millimetres (translation scaled by the model unit).
    var transform: Transform
    /// 1-based XML line, for messages.
    var line: Int
}

/// One `<object>` of a model part: a mesh, components, or (rarely) both.
struct ThreeMFObject {
    var id: Int
    var name: String?
    var line: Int
    /// Vertex positions in millimetres, 3 per vertex.
    var positions: [Float] = []
    /// Triangle corners, validated against the vertex count.
    var indices: [UInt32] = []
    var components: [ThreeMFReference] = []
    var vertexCount: Int { positions.count / 3 }
}

/// A parsed 3MF model part (the XML of `3D/3dmodel.model` or another `.model` part).
struct ThreeMFPart {
    var name: String
    var unit: LengthUnit = .millimetre
    var objects: [Int: ThreeMFObject] = [:]
    var build: [ThreeMFReference] = []
    /// `<triangle>` elements in this part's meshes.
    var declaredTriangles = 0

    /// Parses `bytes` as a 3MF model. `unit` is the root model's unit when this is not the
    /// root part (the root part's `unit` attribute decides the scale of the whole package).
    static func parse(_ bytes: UnsafeRawBufferPointer, name: String, rootUnit: LengthUnit?) throws(ThreeMFError) -> ThreeMFPart {
        var part = ThreeMFPart(name: name)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            throw ThreeMFError("\(name) is empty")
        }
        var x = try XMLScanner(base: base, count: bytes.count, part: name)
        var parser = Parser(part: part, scale: rootUnit.map { $0.millimetres } ?? 1, isRoot: rootUnit == nil)
        while true {
            switch try x.next() {
            case .start: try parser.start(&x)
            case .end: parser.end(&x)
            case .eof:
                guard parser.sawModel else { throw ThreeMFError("\(name) has no <model> element") }
                part = parser.part
                return part
            }
        }
    }

    /// The element kinds the reader acts on; everything else is skipped with its subtree.
    private enum Kind: UInt8 {
        case model, resources, object, mesh, vertices, vertex, triangles, triangle, components, component, build, item, other, ignored
    }

    private struct Parser {
        var part: ThreeMFPart
        var scale: Double
        let isRoot: Bool
        var kinds: [Kind] = []
        var object: ThreeMFObject? = nil
        var sawModel = false

        init(part: ThreeMFPart, scale: Double, isRoot: Bool) {
            self.part = part
            self.scale = scale
            self.isRoot = isRoot
            kinds.reserveCapacity(32)
        }

        mutating func start(_ x: inout XMLScanner) throws(ThreeMFError) {
            let parent = kinds.last
            var kind = Kind.ignored
            if parent != .ignored && parent != .other && x.namespace == .core {
                kind = try classify(&x, parent: parent)
            }
            kinds.append(kind)
        }

        mutating func end(_ x: inout XMLScanner) {
            let kind = kinds.removeLast()
            if kind == .object, let o = object {
                part.objects[o.id] = o
                object = nil
            }
        }

        private mutating func classify(_ x: inout XMLScanner, parent: Kind?) throws(ThreeMFError) -> Kind {
            // Hot elements first: a mesh is almost all vertices and triangles.
            switch parent {
            case .vertices?:
                if x.localNameIs("vertex") { try vertex(&x); return .vertex }
            case .triangles?:
                if x.localNameIs("triangle") { try triangle(&x); return .triangle }
            case nil:
                if x.localNameIs("model") { try model(&x); return .model }
                throw x.error("the root element is <\(x.name)>, not <model>")
            case .model?:
                if x.localNameIs("resources") { return .resources }
                if x.localNameIs("build") { return .build }
            case .resources?:
                if x.localNameIs("object") { try beginObject(&x); return .object }
            case .object?:
                if x.localNameIs("mesh") { return .mesh }
                if x.localNameIs("components") { return .components }
            case .mesh?:
                if x.localNameIs("vertices") { return .vertices }
                if x.localNameIs("triangles") { return .triangles }
            case .components?:
                if x.localNameIs("component") {
                    let r = try reference(&x, what: "component")
                    object?.components.append(r)
                    return .component
                }
            case .build?:
                if x.localNameIs("item") {
                    part.build.append(try reference(&x, what: "build item"))
                    return .item
                }
            default: break
            }
            return .other
        }

        private mutating func model(_ x: inout XMLScanner) throws(ThreeMFError) {
            sawModel = true
            for a in x.attributes where a.colon < 0 && x.attribute(a, is: "unit") {
                let text = x.string(a)
                guard let unit = LengthUnit(name: text) else {
                    throw x.error("unknown unit \"\(text)\" (expected micron, millimeter, centimeter, inch, foot or meter)")
                }
                part.unit = unit
                if isRoot { scale = unit.millimetres }
            }
        }

        private mutating func beginObject(_ x: inout XMLScanner) throws(ThreeMFError) {
            var id: Int? = nil
            var name: String? = nil
            for a in x.attributes where a.colon < 0 {
                if x.attribute(a, is: "id") {
                    guard let v = ThreeMFNumbers.index(x.value(a)), v > 0 else {
                        throw x.error("object id \"\(x.string(a))\" is not a positive integer")
                    }
                    id = Int(v)
                } else if x.attribute(a, is: "name") {
                    name = x.string(a)
                }
            }
            guard let id else { throw x.error("<object> has no id") }
            if part.objects[id] != nil { throw x.error("object id \(id) is defined twice") }
            object = ThreeMFObject(id: id, name: name, line: x.tagLine())
        }

        private mutating func vertex(_ x: inout XMLScanner) throws(ThreeMFError) {
            guard object != nil else { return }
            var cx = Float.nan, cy = Float.nan, cz = Float.nan
            var found = 0
            for a in x.attributes where a.colon < 0 && a.nameEnd - a.nameStart == 1 {
                let c = x.base[a.nameStart]
                guard c >= 120 && c <= 122 else { continue }
                guard let f = ThreeMFNumbers.float(x.value(a)) else {
                    throw x.error("vertex \(object!.vertexCount) of object \(object!.id) has \(x.text(a.nameStart, a.nameEnd))=\"\(x.string(a))\", which is not a number")
                }
                guard f.isFinite else {
                    throw x.error("vertex \(object!.vertexCount) of object \(object!.id) has a non-finite coordinate \(x.text(a.nameStart, a.nameEnd))=\"\(x.string(a))\"")
                }
                if c == 120 { cx = f } else if c == 121 { cy = f } else { cz = f }
                found |= 1 << Int(c - 120)
            }
            guard found == 7 else {
                throw x.error("vertex \(object!.vertexCount) of object \(object!.id) lacks an x, y or z attribute")
            }
            if scale != 1 {
                cx = Float(Double(cx) * scale)
                cy = Float(Double(cy) * scale)
                cz = Float(Double(cz) * scale)
                guard cx.isFinite && cy.isFinite && cz.isFinite else {
                    throw x.error("vertex \(object!.vertexCount) of object \(object!.id) is out of range once converted to millimetres")
                }
            }
            object!.positions.append(cx)
            object!.positions.append(cy)
            object!.positions.append(cz)
        }

        private mutating func triangle(_ x: inout XMLScanner) throws(ThreeMFError) {
            guard object != nil else { return }
            part.declaredTriangles += 1
            var v: (UInt32, UInt32, UInt32) = (0, 0, 0)
            var found = 0
            let vertexCount = object!.vertexCount
            for a in x.attributes where a.colon < 0 && a.nameEnd - a.nameStart == 2 && x.base[a.nameStart] == 118 {
                let k = Int(x.base[a.nameStart + 1]) - 49
                guard k >= 0 && k < 3 else { continue }
                guard let index = ThreeMFNumbers.index(x.value(a)) else {
                    throw x.error("triangle \(object!.indices.count / 3) of object \(object!.id) has v\(k + 1)=\"\(x.string(a))\", which is not a vertex index")
                }
                guard Int(index) < vertexCount else {
                    throw x.error("triangle \(object!.indices.count / 3) of object \(object!.id) refers to vertex \(index), but the object has \(ASCII.grouped(vertexCount)) vertices")
                }
                if k == 0 { v.0 = index } else if k == 1 { v.1 = index } else { v.2 = index }
                found |= 1 << k
            }
            guard found == 7 else {
                throw x.error("triangle \(object!.indices.count / 3) of object \(object!.id) lacks a v1, v2 or v3 attribute")
            }
            object!.indices.append(v.0)
            object!.indices.append(v.1)
            object!.indices.append(v.2)
        }

        private func reference(_ x: inout XMLScanner, what: String) throws(ThreeMFError) -> ThreeMFReference {
            var id: Int? = nil
            var transform = Transform.identity
            var path: String? = nil
            for a in x.attributes {
                if a.colon < 0 {
                    if x.attribute(a, is: "objectid") {
                        guard let v = ThreeMFNumbers.index(x.value(a)) else {
                            throw x.error("\(what) objectid \"\(x.string(a))\" is not an object id")
                        }
                        id = Int(v)
                    } else if x.attribute(a, is: "transform") {
                        transform = try parseTransform(&x, a, what: what)
                    }
                } else if x.attribute(a, is: "path") && x.namespace(of: a) == .production {
                    path = x.string(a)
                }
            }
            guard let id else { throw x.error("\(what) has no objectid") }
            return ThreeMFReference(path: path, objectID: id, transform: transform, line: x.tagLine())
        }

        /// 3MF lists the 4×3 matrix row by row (m00 m01 m02 m10 … m32) and multiplies a row
        /// vector from the left: x' = x·m00 + y·m10 + z·m20 + m30. MeshCore's rows are the
        /// columns of that matrix.
        private func parseTransform(_ x: inout XMLScanner, _ a: XMLScanner.Attribute, what: String) throws(ThreeMFError) -> Transform {
            guard let m = ThreeMFNumbers.list(x.value(a)), m.count == 12 else {
                throw x.error("\(what) transform \"\(x.string(a))\" is not 12 numbers")
            }
            guard m.allSatisfy({ $0.isFinite }) else {
                throw x.error("\(what) transform \"\(x.string(a))\" has a non-finite number")
            }
            let s = Float(scale)
            return Transform(
                rows: (m[0], m[3], m[6], m[9] * s), (m[1], m[4], m[7], m[10] * s), (m[2], m[5], m[8], m[11] * s))
        }
    }
}
