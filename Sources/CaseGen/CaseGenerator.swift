import MeshCore

/// Makes printable cases around miniatures.
///
/// The mini is given in millimetres with +z up (callers rotate and scale first). Every part
/// is built as a 2.5D solid over a grid (see `TerrainMesher`), so it is closed and
/// consistently oriented by construction, whatever state the input mesh is in.
public enum CaseGenerator {
    /// Two halves split by a vertical parting plane y = p: "front" (y ≤ p, the mini leaves it
    /// along +y) and "back" (y ≥ p, the mini leaves it along −y). Each cavity is the mini's
    /// extent swept from the plane outwards, grown by the clearance with an exact ball
    /// dilation; the front carries registration pins that fit holes in the back, and both
    /// halves have a finger notch at the top edge of the parting face. The outer corners are
    /// rounded with radius min(wall, 2 mm) (see `RoundedCorners.swift`).
    ///
    /// `progress` is called with fractions from 0 to 1. `runner` spreads the rasterization
    /// and dilation over cores natively.
    public static func clamshell(
        _ mini: TriangleMesh, options: CaseOptions, runner: JobRunner = .serial,
        progress: ((Float) -> Void)? = nil
    ) throws(CaseError) -> CaseResult {
        try validate(options)
        let bounds = try validate(mini)
        progress?(0.02)
        var warnings: [String] = []
        let c = options.clearance, wall = options.wall
        let size = bounds.size
        if let offset = options.partingOffset, !(offset >= 0 && offset <= size.y) {
            throw CaseError(
                "parting offset " + mm(offset) + " mm is outside the mini's depth (0 to " + mm(size.y) + " mm)")
        }
        let layout = Layout(options: options)

        // Grid: the mini's XZ footprint plus everything that may surround it.
        let grid = CaseGrid.around(bounds, pad: c + layout.widestMargin, options: options, warnings: &warnings)
        let cell = grid.cell

        let (lo, hi) = Rasterizer.yExtents(mini, grid: grid, runner: runner)
        progress?(0.4)

        let plane: Float
        if let offset = options.partingOffset {
            plane = quantizeNearest(bounds.min.y + offset)
        } else {
            plane = quantizeNearest(PartingPlane.choose(lo: lo, hi: hi, ymin: bounds.min.y, ymax: bounds.max.y))
        }

        // Front = p − lo, back = hi − p, dilated by the clearance; and the cavity's cell box.
        let cavity = try CavityField.make(
            lo: lo, hi: hi, plane: plane, grid: grid, clearance: c, runner: runner,
            emptyMessage: "the mesh covers no area seen from the front; nothing to enclose")
        progress?(0.6)
        let dilated = cavity.fields
        let (ci0, ci1, ck0, ck1) = (cavity.ci0, cavity.ci1, cavity.ck0, cavity.ck1)

        // Footprint: the cavity box plus walls, widened until the pins fit.
        let wallCells = Int((wall / cell - 1e-4).rounded(.up)) + 1   // +1: the terrain slopes one cell out
        let notchCells = options.fingerNotch ? Int((layout.notchLength / cell).rounded(.up)) : 0
        let maxExtra = Int((layout.pinMargin / cell).rounded(.up))
        let step = max(1, Int((1 / cell).rounded(.up)))
        var extra = 0
        var placement: Footprint?
        while true {
            let fp = Footprint(
                i0: ci0 - wallCells - extra, i1: ci1 + 1 + wallCells + extra,
                k0: ck0 - wallCells - extra, k1: ck1 + 1 + wallCells + extra + notchCells)
            var candidate = fp
            candidate.corner = Footprint.cornerCells(wall: wall, cell: cell)
            if candidate.placeFeatures(
                layout: layout, options: options, grid: grid, front: dilated[0], back: dilated[1], notchCells: notchCells)
                && candidate.placeMagnets(
                    layout: layout, options: options, grid: grid, front: dilated[0], back: dilated[1], notchCells: notchCells)
            {
                placement = candidate
                break
            }
            if extra >= maxExtra { break }
            extra = min(maxExtra, extra + step)
        }
        guard let footprint = placement else {
            throw CaseError("could not place \(options.pins) pins" + (options.magnets == nil ? "" : " and 2 magnets") + " around the cavity")
        }
        if extra > 0 {
            warnings.append("walls widened by " + mm(Float(extra) * cell) + " mm so the pins" + (options.magnets == nil ? "" : " and magnets") + " fit beside the cavity")
        }
        progress?(0.7)

        var parts: [CasePart] = []
        var engravings: [EngravingPlacement] = []
        for (index, name) in ["front", "back"].enumerated() {
            var depths = footprint.depths(half: index, grid: grid, field: dilated[index], layout: layout, options: options)
            footprint.cutMagnetPockets(&depths, grid: grid, options: options)
            let deepest = depths.reduce(0) { max($0, $1) }
            let engraved = index == 1 && Engraving.requested(options)
            var mesher = TerrainMesher(
                grid: grid, i0: footprint.i0, i1: footprint.i1, k0: footprint.k0, k1: footprint.k1,
                depth: depths, back: quantizeUp(deepest + wall + (engraved ? quantizeUp(options.engraveDepth) : 0)),
                plane: plane, side: index == 0 ? -1 : 1, corner: footprint.corner)
            if engraved {
                let cut = try Engraving.outerField(
                    options: options, grid: grid, footprint: footprint, back: mesher.back, plane: plane)
                mesher.outer = cut.outer
                engravings = cut.placements
            }
            parts.append(CasePart(name: name, mesh: mesher.mesh(), extraction: Vec3(0, index == 0 ? 1 : -1, 0)))
            progress?(index == 0 ? 0.85 : 1)
        }
        var result = CaseResult(parts: parts, resolution: cell, partingY: plane, warnings: warnings)
        result.magnets = footprint.magnets
        result.engravings = engravings
        return result
    }

    static func mm(_ v: Float) -> String { ASCII.decimal(Double(v), fractionDigits: 3) }

    static func validate(_ o: CaseOptions) throws(CaseError) {
        if !(o.clearance >= 0 && o.clearance <= 5) {
            throw CaseError("clearance " + mm(o.clearance) + " mm is out of range: use 0 to 5 mm")
        }
        if !(o.wall >= 0.8 && o.wall <= 20) {
            throw CaseError("wall " + mm(o.wall) + " mm is out of range: use 0.8 to 20 mm (thinner walls break)")
        }
        if !(o.resolution > 0 && o.resolution <= 1) {
            throw CaseError("resolution " + mm(o.resolution) + " mm is out of range: use more than 0 and at most 1 mm")
        }
        if o.pins < 0 || o.pins > 4 { throw CaseError("pins \(o.pins) is out of range: use 0 to 4") }
        if !(o.pinDiameter >= 1 && o.pinDiameter <= 10) {
            throw CaseError("pin diameter " + mm(o.pinDiameter) + " mm is out of range: use 1 to 10 mm")
        }
        if !(o.pinHeight >= 1 && o.pinHeight <= 10) {
            throw CaseError("pin height " + mm(o.pinHeight) + " mm is out of range: use 1 to 10 mm")
        }
        if !(o.pinFit >= 0 && o.pinFit <= 1) {
            throw CaseError("pin fit " + mm(o.pinFit) + " mm is out of range: use 0 to 1 mm")
        }
        if let m = o.magnets { try MagnetSize.validate(m) }
        try Engraving.validate(o)
    }

    static func validate(_ mini: TriangleMesh) throws(CaseError) -> Bounds {
        if mini.isEmpty { throw CaseError("the mesh has no triangles") }
        // Plain reductions (no early exit) that vectorize: these passes touch every vertex of
        // meshes of millions, in the browser too.
        let largestIndex = mini.indices.withUnsafeBufferPointer { idx in
            var m: UInt32 = 0
            for i in idx { m = Swift.max(m, i) }
            return Int(m)
        }
        if largestIndex >= mini.vertexCount {
            throw CaseError("the mesh has triangle indices beyond its \(mini.vertexCount) vertices")
        }
        let finite = mini.positions.withUnsafeBufferPointer { p in
            // All-ones exponent: NaN or infinity.
            var bad: UInt32 = 0
            for v in p { bad |= v.bitPattern & 0x7F80_0000 == 0x7F80_0000 ? 1 : 0 }
            return bad == 0
        }
        if !finite { throw CaseError("the mesh has non-finite vertex coordinates (NaN or infinity)") }
        let b = mini.bounds
        let s = b.size
        for (axis, name) in [(0, "x"), (1, "y"), (2, "z")] where s[axis] < 0.01 {
            throw CaseError("the mesh is flat: its " + name + " extent is " + mm(s[axis]) + " mm; a case needs a solid mini")
        }
        for (axis, name) in [(0, "x"), (1, "y"), (2, "z")] where s[axis] > 300 {
            throw CaseError(
                "the mini is " + mm(s[axis]) + " mm along " + name
                    + "; cases are made for minis up to 300 mm (is the model in another unit?)")
        }
        return b
    }
}
