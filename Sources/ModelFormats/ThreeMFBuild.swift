import MeshCore

/// Expands a 3MF build: every item, its object's components recursively, transforms
/// composed, into welded millimetre meshes.
struct ThreeMFBuilder {
    private struct Key: Hashable {
        var part: String
        var id: Int
    }

    var loader: ThreeMFLoader
    let rootName: String
    let root: ThreeMFPart
    /// Placed triangle count per object (memoized), for the limit check and allocation.
    private var counts: [Key: Int] = [:]
    private var visiting: Set<Key> = []

    init(loader: ThreeMFLoader, rootName: String, root: ThreeMFPart) {
        self.loader = loader
        self.rootName = rootName
        self.root = root
    }

    mutating func build() throws(ThreeMFError) -> ThreeMFModel {
        // First resolve every reference and count what the build would place, so missing
        // objects, cycles and multiplying component graphs fail before any geometry is made.
        var itemCounts: [Int] = []
        var total = 0
        for item in root.build {
            let key = try resolve(item, from: rootName, what: "build item")
            let n = try count(key, depth: 0)
            itemCounts.append(n)
            total = total.addingReportingOverflow(n).partialValue
            if total > loader.limits.maxPlacedTriangles || total < 0 {
                throw ThreeMFError(
                    "3MF build would place more than \(ASCII.grouped(loader.limits.maxPlacedTriangles)) triangles; refusing it")
            }
        }

        var objects: [(name: String, mesh: TriangleMesh)] = []
        for (k, item) in root.build.enumerated() {
            let key = try resolve(item, from: rootName, what: "build item")
            var builder = MeshBuilder(expectedTriangles: itemCounts[k])
            var sourceVertices = 0
            try place(key, transform: item.transform, into: &builder, sourceVertices: &sourceVertices, line: item.line)
            var mesh = builder.build()
            mesh.sourceVertexCount = sourceVertices
            let object = try self.object(key)
            objects.append((name: object.name ?? "object \(key.id)", mesh: mesh))
        }

        var merged: TriangleMesh
        if objects.count == 1 {
            merged = objects[0].mesh
        } else {
            merged = TriangleMesh()
            for o in objects { merged.append(o.mesh) }
            merged = merged.welded()
        }
        var declared = 0
        for p in loader.parts.values { declared += p.declaredTriangles }
        return ThreeMFModel(
            objects: objects, merged: merged, unit: root.unit, declaredTriangles: declared,
            placedTriangles: merged.triangleCount)
    }

    private mutating func resolve(_ r: ThreeMFReference, from part: String, what: String) throws(ThreeMFError) -> Key {
        let target = ZipReader.normalized(r.path ?? part)
        let p = try loader.part(r.path ?? part, rootUnit: root.unit)
        guard p.objects[r.objectID] != nil else {
            let source = try loader.part(part, rootUnit: root.unit).name
            let place = target == ZipReader.normalized(part) ? "" : " in /\(p.name)"
            throw ThreeMFError(
                "\(source) line \(r.line): \(what) refers to object \(r.objectID), which the model does not define\(place)")
        }
        return Key(part: target, id: r.objectID)
    }

    private mutating func object(_ key: Key) throws(ThreeMFError) -> ThreeMFObject {
        try loader.part(key.part, rootUnit: root.unit).objects[key.id]!
    }

    private mutating func count(_ key: Key, depth: Int) throws(ThreeMFError) -> Int {
        if let n = counts[key] { return n }
        guard depth <= loader.limits.maxComponentDepth else {
            throw ThreeMFError("3MF components nest deeper than \(loader.limits.maxComponentDepth) levels at object \(key.id)")
        }
        guard !visiting.contains(key) else {
            throw ThreeMFError("3MF object \(key.id) contains itself through its components (a cycle)")
        }
        visiting.insert(key)
        let o = try object(key)
        var n = o.indices.count / 3
        for c in o.components {
            let child = try resolve(c, from: key.part, what: "component of object \(key.id)")
            n = n.addingReportingOverflow(try count(child, depth: depth + 1)).partialValue
            if n > loader.limits.maxPlacedTriangles || n < 0 {
                throw ThreeMFError(
                    "3MF object \(key.id) expands to more than \(ASCII.grouped(loader.limits.maxPlacedTriangles)) triangles through its components; refusing it")
            }
        }
        visiting.remove(key)
        counts[key] = n
        return n
    }

    private mutating func place(
        _ key: Key, transform: Transform, into builder: inout MeshBuilder, sourceVertices: inout Int, line: Int
    ) throws(ThreeMFError) {
        let o = try object(key)
        if !o.indices.isEmpty {
            // A mirroring transform turns the winding inside out; swap two corners to keep
            // triangles counter-clockwise seen from outside.
            let flip = transform.determinant < 0
            var remap = [UInt32](repeating: UInt32.max, count: o.vertexCount)
            var bad = false
            o.positions.withUnsafeBufferPointer { p in
                o.indices.withUnsafeBufferPointer { ix in
                    remap.withUnsafeMutableBufferPointer { map in
                        var t = 0
                        while t + 2 < ix.count {
                            var c: (UInt32, UInt32, UInt32) = (0, 0, 0)
                            for k in 0..<3 {
                                let v = Int(ix[t + k])
                                var id = map[v]
                                if id == UInt32.max {
                                    let q = transform.apply(Vec3(p[3 * v], p[3 * v + 1], p[3 * v + 2]))
                                    if !q.isFinite { bad = true }
                                    id = builder.vertex(q.x, q.y, q.z)
                                    map[v] = id
                                }
                                if k == 0 { c.0 = id } else if k == 1 { c.1 = id } else { c.2 = id }
                            }
                            if flip { builder.triangle(c.0, c.2, c.1) } else { builder.triangle(c.0, c.1, c.2) }
                            t += 3
                        }
                    }
                }
            }
            if bad {
                throw ThreeMFError(
                    "\(root.name) line \(line): object \(key.id) has non-finite coordinates once its transforms are applied")
            }
            sourceVertices += o.vertexCount
        }
        for c in o.components {
            let child = try resolve(c, from: key.part, what: "component of object \(key.id)")
            try place(child, transform: transform.composed(after: c.transform), into: &builder, sourceVertices: &sourceVertices, line: line)
        }
    }
}
