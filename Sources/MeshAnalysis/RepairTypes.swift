import MeshCore

/// What `MeshRepairer.repair` may do beyond the always-safe steps.
public struct RepairOptions: Sendable, Equatable {
    /// Close holes whose rim is a simple loop of at most `maxHoleEdges` edges.
    public var fillHoles: Bool
    /// The longest hole rim (in edges) that is filled; longer rims are left open and
    /// reported, since they are more likely a deliberate opening (a hollow base, a bust's
    /// open bottom on a very coarse scan) than a scanning gap.
    public var maxHoleEdges: Int

    public init(fillHoles: Bool = true, maxHoleEdges: Int = 512) {
        self.fillHoles = fillHoles
        self.maxHoleEdges = maxHoleEdges
    }
}

/// What `MeshRepairer.repair` changed, as counts and as sentences for people.
public struct RepairReport: Sendable, Equatable {
    /// Vertices merged into an exactly coincident one, or dropped because no triangle used them.
    public var weldedVertices: Int
    /// Zero-area triangles removed (repeated vertex or collinear corners).
    public var removedDegenerate: Int
    /// Triangles removed because another one has the same three vertices. Back-to-back
    /// pairs (same vertices, opposite winding, e.g. the shared wall of two glued solids)
    /// cancel and both go; same-winding repeats collapse to one.
    public var removedDuplicate: Int
    /// Triangles whose winding was reversed to agree with their neighbours.
    public var flippedTriangles: Int
    /// Components that were inside out and were turned outward as a whole.
    public var flippedComponents: Int
    /// Holes closed.
    public var filledHoles: Int
    /// Triangles added to close them.
    public var filledTriangles: Int
    /// Holes left open (too long, not a simple loop, or filling was off).
    public var unfilledHoles: Int
    /// One sentence per thing done or found, e.g. "filled 5 holes with 123 triangles".
    public var lines: [String]
    /// The analysis of the mesh as given.
    public var before: MeshReport
    /// The analysis of the repaired mesh.
    public var after: MeshReport

    public init(
        weldedVertices: Int = 0, removedDegenerate: Int = 0, removedDuplicate: Int = 0, flippedTriangles: Int = 0,
        flippedComponents: Int = 0, filledHoles: Int = 0, filledTriangles: Int = 0, unfilledHoles: Int = 0,
        lines: [String] = [], before: MeshReport = MeshReport(), after: MeshReport = MeshReport()
    ) {
        self.weldedVertices = weldedVertices
        self.removedDegenerate = removedDegenerate
        self.removedDuplicate = removedDuplicate
        self.flippedTriangles = flippedTriangles
        self.flippedComponents = flippedComponents
        self.filledHoles = filledHoles
        self.filledTriangles = filledTriangles
        self.unfilledHoles = unfilledHoles
        self.lines = lines
        self.before = before
        self.after = after
    }
}
