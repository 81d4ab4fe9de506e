import MeshCore
import Testing

@testable import MeshRender

/// The band lists the rasterizer draws from: front faces before back faces, each in mesh order.
@Suite struct BinningTests {
    /// Sample coordinates (x, y, depth, unused). Corners 0-2 face the camera in this order
    /// (negative signed area, y pointing down); 3-5 reach from band 0 into band 1 (64 rows).
    static let vertices: [Float] = [
        0, 0, 5, 0, 0, 10, 5, 0, 10, 0, 5, 0,
        0, 0, 5, 0, 0, 100, 5, 0, 10, 0, 5, 0,
    ]

    /// Two bands of 64 sample rows, on a runner `width` wide that runs its jobs backwards.
    static func bin(_ indices: [UInt32], width: Int) -> (start: [Int], list: [UInt32]) {
        let runner = JobRunner(width: width) { count, body in for j in (0..<count).reversed() { body(j) } }
        return MeshRenderer.binByBand(
            indices, vertices: vertices, stride: 4, vertexCount: 6,
            sampleHeight: 128, bandShift: 6, bandCount: 2, runner: runner
        )
    }

    @Test(arguments: [1, 2, 3])
    func frontFacesComeFirstInMeshOrderForAnyRunner(width: Int) {
        // Triangle 0 and 2 face away, 1 and 3 face the camera; 4 names a vertex that does
        // not exist and is left out.
        let (start, list) = Self.bin([0, 2, 1, 0, 1, 2, 0, 2, 1, 3, 4, 5, 0, 1, 9], width: width)
        #expect(start == [0, 4, 5])
        #expect(Array(list[0..<4]) == [1, 3, 0, 2])
        #expect(Array(list[4..<5]) == [3])
    }

    @Test(arguments: [1, 2, 3])
    func severalJobsListTheSameAsOne(width: Int) {
        // Per 5 triangles: 0 back, 1 front, 2 back (bands 0-1), 3 front (bands 0-1), 4 left out;
        // 75,000 triangles are enough for a job per core.
        let pattern: [UInt32] = [0, 2, 1, 0, 1, 2, 3, 5, 4, 3, 4, 5, 0, 1, 9]
        let (start, list) = Self.bin((0..<15_000).flatMap { _ in pattern }, width: width)
        let all = (0..<75_000).map(UInt32.init)
        let band0 = all.filter { $0 % 5 == 1 || $0 % 5 == 3 } + all.filter { $0 % 5 == 0 || $0 % 5 == 2 }
        let band1 = all.filter { $0 % 5 == 3 } + all.filter { $0 % 5 == 2 }
        #expect(start == [0, band0.count, band0.count + band1.count])
        #expect(list == band0 + band1)
    }
}
