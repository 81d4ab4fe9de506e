import MeshCore

/// Sizes of the rim on which the lid seats (mm).
struct RimLayout {
    /// Width and height of the raised rim on the base, all round, outside the base's wall.
    var width: Float = 1.2
    var height: Float = 1.5
    /// Gap between the rim and the lid's groove on each side and above it.
    var fit: Float = 0.2
    /// Lid material outside the groove.
    var skirt: Float = 1.2
}

extension CaseGenerator {
    /// A base and a lid split by a horizontal plane z = p just above the bottom of the mini's
    /// base: "base" (z ≤ p; a plate whose pocket holds the mini's base, which lifts out along
    /// +z) and "lid" (z ≥ p; its cavity is the mini's silhouette swept along z, the mini
    /// leaves it along −z). Both cavities are grown by the clearance with the exact ball
    /// dilation. The base carries a raised rectangular rim (1.2 mm wide, 1.5 mm high) outside
    /// its wall; the lid has a matching groove 0.2 mm wider on each side and 0.3 mm deeper, so
    /// it registers on the base.
    ///
    /// The base footprint is found from the lowest slice (`BaseDetector`); the pocket is
    /// `min(base height, 3 mm)` deep (3 mm when no base top is found), never more than half
    /// the mini's height. The result's `partingY` holds the plane's z, `base` the footprint.
    public static func lid(
        _ mini: TriangleMesh, options: CaseOptions, runner: JobRunner = .serial,
        progress: ((Float) -> Void)? = nil
    ) throws(CaseError) -> CaseResult {
        try validate(options)
        let bounds = try validate(mini)
        progress?(0.02)
        var warnings: [String] = []
        let base = BaseDetector.detect(mini)
        warnings.append(base?.summary ?? "no base: the lowest slice has no area")
        let pocket = min(min(base?.height ?? 3, 3), bounds.size.z / 2)

        // Engine frame: (x, y, z) → (x, z, −y), a proper rotation, so the mini's z becomes the
        // depth axis y of the grid machinery.
        let toEngine = Transform(rows: (1, 0, 0, 0), (0, 0, 1, 0), (0, -1, 0, 0))
        let fromEngine = Transform(rows: (1, 0, 0, 0), (0, 0, -1, 0), (0, 1, 0, 0))
        let engine = mini.transformed(by: toEngine)
        let eb = engine.bounds
        let c = options.clearance, wall = options.wall
        let rim = RimLayout()

        let ringMargin = rim.width + 2 * rim.fit + rim.skirt + 1
        let grid = CaseGrid.around(eb, pad: c + wall + ringMargin + 2, options: options, warnings: &warnings)
        let cell = grid.cell
        let (lo, hi) = Rasterizer.yExtents(engine, grid: grid, runner: runner)
        progress?(0.4)

        let plane = quantizeNearest(eb.min.y + pocket)
        let cavity = try CavityField.make(
            lo: lo, hi: hi, plane: plane, grid: grid, clearance: c, runner: runner,
            emptyMessage: "the mesh covers no area seen from above; nothing to enclose")
        progress?(0.6)
        let dilated = cavity.fields
        let (ci0, ci1, ck0, ck1) = (cavity.ci0, cavity.ci1, cavity.ck0, cavity.ck1)

        // From the cavity box outwards (cells): wall (+1 for the terrain's slope), the groove's
        // fit (+1 slope), the rim, the fit again, the skirt (+1 slope).
        func cells(_ v: Float) -> Int { Int((v / cell - 1e-4).rounded(.up)) }
        let wallCells = cells(wall) + 1
        let fitCells = max(1, cells(rim.fit))
        let rimCells = max(2, cells(rim.width))
        let skirtCells = cells(rim.skirt) + 1
        let rimInner = wallCells + fitCells + 1
        let rimOuter = rimInner + rimCells
        let total = rimOuter + fitCells + skirtCells
        var footprint = Footprint(i0: ci0 - total, i1: ci1 + 1 + total, k0: ck0 - total, k1: ck1 + 1 + total)
        // Rounded corners stay within the lid's skirt, outside its groove (the rim is square).
        footprint.corner = min(Footprint.cornerCells(wall: wall, cell: cell), skirtCells - 1)
        if footprint.i0 < 0 || footprint.k0 < 0 || footprint.i1 > grid.nx || footprint.k1 > grid.nz {
            throw CaseError("internal: the lid's footprint does not fit its grid")
        }
        var plain = options
        plain.pins = 0
        plain.fingerNotch = false
        let layout = Layout(options: plain)
        let rimTop = -quantizeUp(rim.height)
        let grooveBottom = quantizeUp(rim.height + 0.3)
        progress?(0.7)

        var parts: [CasePart] = []
        for (index, name) in ["base", "lid"].enumerated() {
            var depths = footprint.depths(half: index, grid: grid, field: dilated[index], layout: layout, options: plain)
            let w = footprint.width, h = footprint.height
            // Ring distance of a cell from the footprint's border, in cells (0 = outermost).
            for k in 0..<h {
                for i in 0..<w {
                    let fromOut = min(min(i, w - 1 - i), min(k, h - 1 - k))
                    let fromCavity = total - 1 - fromOut   // 0 = the ring just outside the cavity box
                    if index == 0 {
                        if fromCavity >= rimInner && fromCavity < rimOuter { depths[k * w + i] = rimTop }
                    } else if fromCavity >= rimInner - fitCells && fromCavity < rimOuter + fitCells {
                        depths[k * w + i] = max(depths[k * w + i], grooveBottom)
                    }
                }
            }
            let deepest = depths.reduce(0) { max($0, $1) }
            let mesher = TerrainMesher(
                grid: grid, i0: footprint.i0, i1: footprint.i1, k0: footprint.k0, k1: footprint.k1,
                depth: depths, back: quantizeUp(deepest + wall), plane: plane, side: index == 0 ? -1 : 1,
                corner: footprint.corner)
            parts.append(
                CasePart(
                    name: name, mesh: mesher.mesh().transformed(by: fromEngine),
                    extraction: Vec3(0, 0, index == 0 ? 1 : -1)))
            progress?(index == 0 ? 0.85 : 1)
        }
        warnings.append(
            "lid: pocket " + mm(plane - eb.min.y) + " mm deep; the lid seats on a " + mm(rim.width) + " mm rim, "
                + mm(rim.height) + " mm high, with a " + mm(Float(fitCells) * cell) + " mm gap")
        var result = CaseResult(parts: parts, resolution: cell, partingY: plane, warnings: warnings)
        result.base = base
        return result
    }
}
