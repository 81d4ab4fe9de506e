import MeshCore

extension CaseGenerator {
    /// Several minis in one clamshell ("front" and "back", as `clamshell`), each in its own
    /// cavity. The minis are packed in a row along +x in the order given: the first stays
    /// where it is, each next one is moved so its bottom is level with the first's, its
    /// depth (y) centred on the first's, and its bounding box starts `gap` mm after the
    /// previous one's, where the gap holds both clearances, the grid's conservative margins
    /// (three cells each side) and a full `wall`, so neighbouring cavities never merge.
    ///
    /// The result's `offsets` hold each mini's translation; the parts lie around the packed
    /// minis (the first in its own coordinates).
    public static func tray(
        _ minis: [TriangleMesh], options: CaseOptions, runner: JobRunner = .serial,
        progress: ((Float) -> Void)? = nil
    ) throws(CaseError) -> CaseResult {
        if minis.isEmpty { throw CaseError("a tray needs at least one mini") }
        try validate(options)
        var boxes: [Bounds] = []
        for (index, mini) in minis.enumerated() {
            do throws(CaseError) {
                boxes.append(try validate(mini))
            } catch {
                throw CaseError("mini \(index + 1): " + error.message)
            }
        }
        let c = options.clearance, wall = options.wall
        let layout = Layout(options: options)
        let pad = c + layout.widestMargin
        let limit = Float(max(64, options.maxGridCells) - 8)
        let depth = boxes.reduce(Float(0)) { max($0, $1.size.z) }
        // The cell size the clamshell will choose depends on the row's length, which depends on
        // the gaps, which depend on the cell: iterate to a fixed point, with some slack.
        var cell = options.resolution
        var gap: Float = 0
        var row: Float = 0
        for _ in 0..<4 {
            gap = wall + 2 * (c + 3 * cell) + 2 * cell
            row = boxes.reduce(Float(0)) { $0 + $1.size.x } + gap * Float(boxes.count - 1)
            let span = max(row, depth) + 2 * pad
            if span / cell > limit { cell = max(cell, quantizeUp(span / limit * 1.001) * 1.05) }
        }
        if row > 300 {
            throw CaseError(
                "the tray's row of \(minis.count) minis is " + mm(row)
                    + " mm long; trays are made up to 300 mm: split the minis over several trays")
        }
        var packed = TriangleMesh()
        var offsets: [Vec3] = []
        var cursor = boxes[0].min.x
        let yCentre = (boxes[0].min.y + boxes[0].max.y) / 2, zBottom = boxes[0].min.z
        for (index, mini) in minis.enumerated() {
            let b = boxes[index]
            let offset = Vec3(
                quantizeNearest(cursor - b.min.x), quantizeNearest(yCentre - (b.min.y + b.max.y) / 2),
                quantizeNearest(zBottom - b.min.z))
            offsets.append(offset)
            packed.append(index == 0 ? mini : mini.transformed(by: .translation(offset)))
            cursor += b.size.x + gap
        }
        progress?(0.05)
        var result = try clamshell(packed, options: options, runner: runner, progress: progress.map { p in { p(0.05 + 0.95 * $0) } })
        if result.resolution > cell * 1.0001 {
            throw CaseError("internal: the tray's grid came out coarser than its gaps allow")
        }
        result.offsets = offsets
        result.warnings.append(
            "tray: \(minis.count) minis in a row along x, " + mm(gap) + " mm apart (at least a " + mm(wall)
                + " mm wall between cavities)")
        return result
    }
}
