/// Slot indices of the Float64 record `vitrine_analyze` writes (Web/vitrine.js mirrors
/// this list; append new slots at the end so old readers keep working).
///
/// Lengths are in the file's units (millimetres when the file is in mm); counts are
/// whole numbers stored as doubles; booleans are 0 or 1.
enum AnalysisLayout {
    static let minX = 0, minY = 1, minZ = 2
    static let maxX = 3, maxY = 4, maxZ = 5
    static let sizeX = 6, sizeY = 7, sizeZ = 8
    static let area = 9                   // surface area, units²
    static let volume = 10                // signed volume, units³
    static let watertight = 11
    static let boundaryEdges = 12
    static let nonManifoldEdges = 13
    static let inconsistentEdges = 14
    static let components = 15
    static let degenerateTriangles = 16
    static let duplicateTriangles = 17
    static let insideOutComponents = 18
    static let triangles = 19
    static let vertices = 20
    static let sourceVertices = 21
    /// Guessed unit: index into `LengthUnit.allCases` (0 µm, 1 mm, 2 cm, 3 m, 4 in, 5 ft).
    static let unit = 22
    static let count = 23
}
