import MeshCore

/// What `MeshAnalyzer.analyze` found in a mesh: counts, size, area, volume and topology.
///
/// Lengths are in the mesh's units (millimetres once a caller has scaled it). Topology is
/// computed on the mesh's vertex indices, so exactly coincident positions must already be
/// welded (every `MeshReader` welds; `TriangleMesh.welded()` does it for other meshes).
public struct MeshReport: Sendable, Equatable {
    /// Number of triangles.
    public var triangles: Int
    /// Number of (welded) vertices.
    public var vertices: Int
    /// Number of vertex corners the source file stored before welding.
    public var sourceVertices: Int
    /// Bounding box of the vertices.
    public var bounds: Bounds
    /// Extent of `bounds` along x, y, z (zero for an empty mesh).
    public var size: Vec3
    /// Total surface area in square units (mm²), summed in `Double`.
    public var area: Double
    /// Signed volume in cubic units (mm³): the sum of the signed tetrahedra (origin, a, b, c)
    /// over every triangle. Positive for a closed mesh wound counter-clockwise from outside;
    /// meaningful as a volume only when the mesh is closed.
    public var volume: Double
    /// True when the mesh has at least one triangle and every edge has exactly two faces
    /// (no boundary and no non-manifold edge). Matches trimesh's `is_watertight`: winding is
    /// not part of it; `inconsistentEdges` reports that separately.
    public var watertight: Bool
    /// Edges used by exactly one triangle (the rims of holes).
    public var boundaryEdges: Int
    /// Edges used by three or more triangles (counted once per edge).
    public var nonManifoldEdges: Int
    /// Edges with exactly two triangles that run the edge in the same direction, i.e. the
    /// two faces disagree about which side is outside.
    public var inconsistentEdges: Int
    /// Connected pieces: triangles joined across edges that have exactly two triangles
    /// (trimesh's "shells"; two cubes sharing one edge are two components).
    public var components: Int
    /// Triangles with exactly zero area (a repeated vertex index, or collinear corners),
    /// computed in `Double`.
    public var degenerateTriangles: Int
    /// Triangles whose three vertex indices (in any order) repeat an earlier triangle's.
    public var duplicateTriangles: Int
    /// Closed, consistently wound components whose signed volume is negative: they are
    /// inside out (their faces point inwards).
    public var insideOutComponents: Int

    /// Makes a report; `MeshAnalyzer.analyze` is the usual way to get one.
    public init(
        triangles: Int = 0, vertices: Int = 0, sourceVertices: Int = 0, bounds: Bounds = .empty,
        size: Vec3 = .zero, area: Double = 0, volume: Double = 0, watertight: Bool = false,
        boundaryEdges: Int = 0, nonManifoldEdges: Int = 0, inconsistentEdges: Int = 0,
        components: Int = 0, degenerateTriangles: Int = 0, duplicateTriangles: Int = 0,
        insideOutComponents: Int = 0
    ) {
        self.triangles = triangles
        self.vertices = vertices
        self.sourceVertices = sourceVertices
        self.bounds = bounds
        self.size = size
        self.area = area
        self.volume = volume
        self.watertight = watertight
        self.boundaryEdges = boundaryEdges
        self.nonManifoldEdges = nonManifoldEdges
        self.inconsistentEdges = inconsistentEdges
        self.components = components
        self.degenerateTriangles = degenerateTriangles
        self.duplicateTriangles = duplicateTriangles
        self.insideOutComponents = insideOutComponents
    }
}
