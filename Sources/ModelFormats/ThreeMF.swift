import Foundation
import MeshCore

/// A 3MF file that could not be read or written; `message` says what and where.
public struct ThreeMFError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Bounds on what a 3MF reader will do for one file, so a hostile or broken package
/// (a ZIP bomb, a component graph that multiplies) fails fast instead of exhausting memory.
public struct ThreeMFLimits: Sendable, Equatable {
    /// Largest uncompressed model part, in bytes (default 1 GiB).
    public var maxPartBytes: Int
    /// Largest total of all model parts read from one package, in bytes (default 1 GiB).
    public var maxTotalBytes: Int
    /// Largest compressed-to-uncompressed ratio accepted once a part is past `ratioCheckFloor`
    /// bytes; real model XML compresses about 10:1, a bomb of repeated bytes about 1000:1.
    public var maxCompressionRatio: Int
    /// Parts up to this many bytes are not held to `maxCompressionRatio` (default 16 MiB).
    public var ratioCheckFloor: Int
    /// Most triangles the build may place once items and components are expanded.
    public var maxPlacedTriangles: Int
    /// Deepest nesting of components.
    public var maxComponentDepth: Int

    public init(
        maxPartBytes: Int = 1 << 30, maxTotalBytes: Int = 1 << 30, maxCompressionRatio: Int = 200,
        ratioCheckFloor: Int = 16 << 20, maxPlacedTriangles: Int = 200_000_000, maxComponentDepth: Int = 64
    ) {
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioCheckFloor = ratioCheckFloor
        self.maxPlacedTriangles = maxPlacedTriangles
        self.maxComponentDepth = maxComponentDepth
    }
}

/// The printable geometry of a 3MF package: one mesh per build item, placed by the item's
/// and its components' transforms, in millimetres.
public struct ThreeMFModel: Sendable {
    /// One entry per build item, in build order: the object's name (or "object N") and its
    /// placed mesh, welded (exactly equal positions merged). `sourceVertexCount` is the number
    /// of `<vertex>` elements behind the placed instances.
    public var objects: [(name: String, mesh: TriangleMesh)]
    /// All objects in one mesh, welded across objects, so touching parts share vertices.
    public var merged: TriangleMesh
    /// The unit the root model declared (coordinates are already converted to mm).
    public var unit: LengthUnit
    /// Number of `<triangle>` elements in the model XML read (every object, placed or not).
    public var declaredTriangles: Int
    /// Triangles after the build is expanded (`merged.triangleCount`).
    public var placedTriangles: Int
}

/// Reads and writes 3MF packages (the 3D Manufacturing Format: a ZIP of XML parts).
public enum ThreeMF {
    /// Reads a 3MF package held in memory and places every build item, converting the
    /// model unit to millimetres. Objects the build does not reference are not output.
    /// Throws `ThreeMFError` for anything that is not a well-formed, self-consistent 3MF.
    public static func read(data: Data, limits: ThreeMFLimits = ThreeMFLimits()) throws(ThreeMFError) -> ThreeMFModel {
        // ZIP parsing wants stable pointers for the whole read; one copy of the (compressed)
        // file is cheap next to inflating and parsing it.
        let bytes = [UInt8](data)
        var result: Result<ThreeMFModel, ThreeMFError> = .failure(ThreeMFError("3MF has no 3D model part"))
        bytes.withUnsafeBytes { raw in
            do throws(ThreeMFError) {
                result = .success(try read(bytes: raw, limits: limits))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    static func read(bytes: UnsafeRawBufferPointer, limits: ThreeMFLimits) throws(ThreeMFError) -> ThreeMFModel {
        let zip = try ZipReader(bytes)
        var loader = ThreeMFLoader(zip: zip, limits: limits)
        let rootName = try loader.rootPartName()
        let root = try loader.part(rootName, rootUnit: nil)
        var builder = ThreeMFBuilder(loader: loader, rootName: rootName, root: root)
        return try builder.build()
    }
}

/// Finds and parses the model parts of one package, within the byte budget.
struct ThreeMFLoader {
    let zip: ZipReader
    let limits: ThreeMFLimits
    private(set) var parts: [String: ThreeMFPart] = [:]
    private var spent = 0

    init(zip: ZipReader, limits: ThreeMFLimits) {
        self.zip = zip
        self.limits = limits
    }

    /// The root model part: the target of the `/3dmodel` relationship in `_rels/.rels`,
    /// falling back to `3D/3dmodel.model`.
    mutating func rootPartName() throws(ThreeMFError) -> String {
        if let rels = zip.entry(named: "_rels/.rels") {
            let buffer = try zip.extract(rels, limits: limits, budget: min(limits.maxTotalBytes, 16 << 20))
            if let target = try ThreeMFLoader.modelTarget(in: buffer.bytes), zip.entry(named: target) != nil {
                return target
            }
        }
        if zip.entry(named: "3D/3dmodel.model") != nil { return "3D/3dmodel.model" }
        throw ThreeMFError("3MF has no 3D model part")
    }

    private static func modelTarget(in bytes: UnsafeRawBufferPointer) throws(ThreeMFError) -> String? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return nil }
        var x = try XMLScanner(base: base, count: bytes.count, part: "_rels/.rels")
        while true {
            switch try x.next() {
            case .eof: return nil
            case .end: continue
            case .start:
                guard x.localNameIs("Relationship") else { continue }
                var type: String? = nil, target: String? = nil
                for a in x.attributes where a.colon < 0 {
                    if x.attribute(a, is: "Type") { type = x.string(a) }
                    if x.attribute(a, is: "Target") { target = x.string(a) }
                }
                if let type, let target, type.hasSuffix("/3dmodel") { return target }
            }
        }
    }

    /// The parsed part named `name` (any case, leading slash optional), reading it on first use.
    mutating func part(_ name: String, rootUnit: LengthUnit?) throws(ThreeMFError) -> ThreeMFPart {
        let key = ZipReader.normalized(name)
        if let cached = parts[key] { return cached }
        guard let entry = zip.entry(named: key) else {
            throw ThreeMFError("3MF refers to model part /\(name.drop { $0 == "/" }), which is not in the archive")
        }
        let buffer = try zip.extract(entry, limits: limits, budget: limits.maxTotalBytes - spent)
        spent += buffer.count
        let parsed = try ThreeMFPart.parse(buffer.bytes, name: entry.name, rootUnit: rootUnit)
        parts[key] = parsed
        return parsed
    }
}
