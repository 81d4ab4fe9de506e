import MeshCore

/// A monochrome picture to engrave: `width × height` pixels, row-major, top row first, as
/// seen when looking at the engraved face; a nonzero pixel is cut into the surface.
public struct EngravingMask: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Whether pixel (`column`, `row`) is ink; false outside the picture.
    public func ink(_ column: Int, _ row: Int) -> Bool {
        column >= 0 && row >= 0 && column < width && row < height && pixels[row * width + column] != 0
    }

    /// The smallest sub-picture holding every ink pixel (nil when there is none).
    func trimmed() -> EngravingMask? {
        var c0 = width, c1 = -1, r0 = height, r1 = -1
        for r in 0..<height {
            for c in 0..<width where pixels[r * width + c] != 0 {
                c0 = min(c0, c); c1 = max(c1, c); r0 = min(r0, r); r1 = max(r1, r)
            }
        }
        if c1 < 0 { return nil }
        var out = [UInt8](repeating: 0, count: (c1 - c0 + 1) * (r1 - r0 + 1))
        for r in r0...r1 { for c in c0...c1 where pixels[r * width + c] != 0 { out[(r - r0) * (c1 - c0 + 1) + c - c0] = 1 } }
        return EngravingMask(width: c1 - c0 + 1, height: r1 - r0 + 1, pixels: out)
    }
}

/// Where one engraving went on the back half's back face (the face at the greatest y, seen
/// from +y: the viewer's right is −x and up is +z, so the picture is mirrored in x).
///
/// Pixel (`column`, `row`) of `mask` covers x ∈ [maxX − (column+1)·pixel, maxX − column·pixel]
/// and z ∈ [maxZ − (row+1)·pixel, maxZ − row·pixel], in mm.
public struct EngravingPlacement: Sendable {
    /// "label", "logo" or "mark".
    public var kind: String
    public var mask: EngravingMask
    /// Side of one mask pixel on the face, mm.
    public var pixel: Float
    /// The picture's right-hand edge in x as built (the viewer's left edge), mm.
    public var maxX: Float
    /// The picture's top edge in z, mm.
    public var maxZ: Float
    /// The back face's y after engraving depth was added (the uncut surface), mm.
    public var faceY: Float
    /// Depth of the cut, mm.
    public var depth: Float
}

/// Lays out the label, logo and mark on the back face and cuts them into its outer depth field.
///
/// Layout, with a 2 mm margin: the mark (3 mm tall, or 14 cells if that is taller) in the
/// viewer's lower-right corner; the label in the band above it, as tall as fits the face width
/// (at most 10 mm, and at most a third of the height when there is a logo); the logo over the
/// rest, scaled uniformly and centred. A picture is cut where the centre of a grid cell falls on
/// an ink pixel, so strokes stay legible when a pixel spans at least about two cells.
enum Engraving {
    static let margin: Float = 2
    static let gap: Float = 1.5
    static let markHeight: Float = 3
    static let largestLabelHeight: Float = 10

    static func requested(_ o: CaseOptions) -> Bool { o.label != nil || o.mark != nil || o.logo != nil }

    static func validate(_ o: CaseOptions) throws(CaseError) {
        for (text, name) in [(o.label, "label"), (o.mark, "mark")] {
            guard let text else { continue }
            if text.utf8.isEmpty { throw CaseError(name + " is empty") }
            if text.utf8.count > 64 { throw CaseError(name + " is \(text.utf8.count) characters long; use at most 64") }
            for (n, b) in text.utf8.enumerated() where !BuiltinFont.isPrintable(b) {
                throw CaseError(name + " has a character without a glyph at position \(n + 1) (only printable ASCII is engraved)")
            }
        }
        if let logo = o.logo {
            if logo.width <= 0 || logo.height <= 0 || logo.pixels.count != logo.width * logo.height {
                throw CaseError("logo mask is \(logo.width) x \(logo.height) but holds \(logo.pixels.count) pixels")
            }
            if logo.trimmed() == nil { throw CaseError("the logo has no pixels to engrave (all blank)") }
        }
        if !(o.engraveDepth >= 0.2 && o.engraveDepth <= 2) {
            throw CaseError("engraving depth " + CaseGenerator.mm(o.engraveDepth) + " mm is out of range: use 0.2 to 2 mm")
        }
    }

    /// Outer depth per footprint cell of the back half (row-major like its depth field):
    /// `back` everywhere, `back − depth` where ink falls; plus where each picture went.
    static func outerField(
        options o: CaseOptions, grid: CaseGrid, footprint f: Footprint, back: Float, plane: Float
    ) throws(CaseError) -> (outer: [Float], placements: [EngravingPlacement]) {
        let w = f.width, h = f.height
        let cut = quantizeUp(o.engraveDepth)
        var outer = [Float](repeating: back, count: w * h)
        let x0 = grid.x(f.i0) + margin, x1 = grid.x(f.i1) - margin
        var z0 = grid.z(f.k0) + margin
        let z1 = grid.z(f.k1) - margin
        let faceW = x1 - x0
        let faceText = "the back face (" + CaseGenerator.mm(grid.x(f.i1) - grid.x(f.i0)) + " x "
            + CaseGenerator.mm(grid.z(f.k1) - grid.z(f.k0)) + " mm)"
        // A pixel narrower than this would not survive the grid.
        let smallest = max(0.25, 1.5 * grid.cell)
        var placements: [EngravingPlacement] = []
        func place(_ kind: String, _ mask: EngravingMask, pixel: Float, maxX: Float, maxZ: Float) {
            placements.append(
                EngravingPlacement(kind: kind, mask: mask, pixel: pixel, maxX: maxX, maxZ: maxZ, faceY: plane + back, depth: cut))
        }

        if let mark = o.mark {
            let mask = BuiltinFont.bitmap(mark)
            let pixel = max(markHeight, 14 * grid.cell) / Float(BuiltinFont.rows)
            let width = Float(mask.width) * pixel, height = Float(mask.height) * pixel
            if width > faceW || height > z1 - z0 {
                throw CaseError(
                    "mark '" + mark + "' needs " + CaseGenerator.mm(width) + " x " + CaseGenerator.mm(height)
                        + " mm but " + faceText + " leaves " + CaseGenerator.mm(faceW) + " x " + CaseGenerator.mm(z1 - z0) + " mm")
            }
            // The viewer's lower right is the low-x, low-z corner.
            place("mark", mask, pixel: pixel, maxX: x0 + width, maxZ: z0 + height)
            z0 += height + gap
        }
        let logoMask = o.logo?.trimmed()
        if let label = o.label {
            let mask = BuiltinFont.bitmap(label)
            let share: Float = logoMask == nil ? 1 : 1.0 / 3
            var pixel = min(faceW / Float(mask.width), largestLabelHeight / Float(mask.height))
            pixel = min(pixel, max(0, z1 - z0) * share / Float(mask.height))
            if pixel < smallest {
                throw CaseError(
                    "label '" + label + "' does not fit " + faceText + ": it would be under "
                        + CaseGenerator.mm(smallest * Float(mask.height)) + " mm tall; shorten it")
            }
            let width = Float(mask.width) * pixel, height = Float(mask.height) * pixel
            let top = logoMask == nil ? (z0 + z1 + height) / 2 : z0 + height
            place("label", mask, pixel: pixel, maxX: (x0 + x1 + width) / 2, maxZ: top)
            z0 = top + gap
        }
        if let mask = logoMask {
            let pixel = min(faceW / Float(mask.width), max(0, z1 - z0) / Float(mask.height))
            if pixel * Float(min(mask.width, mask.height)) < 2 {
                throw CaseError("the logo does not fit " + faceText + " beside the other engravings")
            }
            let width = Float(mask.width) * pixel, height = Float(mask.height) * pixel
            place("logo", mask, pixel: pixel, maxX: (x0 + x1 + width) / 2, maxZ: (z0 + z1 + height) / 2)
        }

        for p in placements {
            let minX = p.maxX - Float(p.mask.width) * p.pixel, minZ = p.maxZ - Float(p.mask.height) * p.pixel
            let ia = max(0, Int(((minX - grid.x0) / grid.cell).rounded(.down)) - f.i0)
            let ib = min(w, Int(((p.maxX - grid.x0) / grid.cell).rounded(.up)) - f.i0)
            let ka = max(0, Int(((minZ - grid.z0) / grid.cell).rounded(.down)) - f.k0)
            let kb = min(h, Int(((p.maxZ - grid.z0) / grid.cell).rounded(.up)) - f.k0)
            if ia >= ib || ka >= kb { continue }
            for k in ka..<kb {
                let zc = grid.z(f.k0 + k) + grid.cell / 2
                let rf = (p.maxZ - zc) / p.pixel
                if rf < 0 { continue }
                let row = Int(rf)
                for i in ia..<ib {
                    let xc = grid.x(f.i0 + i) + grid.cell / 2
                    let cf = (p.maxX - xc) / p.pixel
                    if cf >= 0 && p.mask.ink(Int(cf), row) { outer[k * w + i] = back - cut }
                }
            }
        }
        return (outer, placements)
    }
}
