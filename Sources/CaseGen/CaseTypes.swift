import MeshCore

/// Settings for a generated case. Lengths are millimetres.
public struct CaseOptions: Sendable {
    /// Smallest gap between the mini and the case, in mm (0…5).
    public var clearance: Float = 0.4
    /// Thinnest wall between a cavity and the outside, in mm (0.8…20).
    public var wall: Float = 2.0
    /// Grid cell size in mm (0 < r ≤ 1); coarsened automatically so the grid stays within
    /// `maxGridCells` cells per side (the result reports the size used).
    public var resolution: Float = 0.1
    /// Registration pins on the front half, matched by holes in the back (0…4, at the corners).
    public var pins: Int = 4
    /// Pin diameter in mm (1…10).
    public var pinDiameter: Float = 3
    /// Pin height above the parting face in mm (1…10); holes are 0.3 mm deeper.
    public var pinHeight: Float = 3
    /// Radial gap between a pin and its hole in mm (0…1): holes have diameter `pinDiameter + 2 × pinFit`.
    public var pinFit: Float = 0.15
    /// Where the parting plane lies, in mm along +y from the front of the mini's bounding box
    /// (0 … depth); `nil` picks the plane that leaves the least empty space in the cavities.
    public var partingOffset: Float? = nil
    /// Cuts a finger notch at the top edge of the parting face so the halves can be pried apart.
    public var fingerNotch: Bool = true
    /// Largest grid side, in cells, before the resolution is coarsened.
    public var maxGridCells: Int = 1500
    /// Magnets to sink flush into both halves' parting faces (`nil`: none). See `MagnetSize`.
    public var magnets: MagnetSize? = nil
    /// Text engraved across the back half's back face, sized to fit its width (printable ASCII).
    public var label: String? = nil
    /// Small text (3 mm tall) engraved in a corner of the back half's back face.
    public var mark: String? = nil
    /// A picture engraved on the back half's back face, sized to fit (above the label, if any).
    public var logo: EngravingMask? = nil
    /// How deep engravings are cut, in mm (0.2…2); the back half grows by this much so its
    /// thinnest wall stays at least `wall`.
    public var engraveDepth: Float = 0.6

    /// The defaults: 0.4 mm clearance, 2 mm walls, 0.1 mm cells, 4 pins of 3 mm with 0.15 mm fit.
    public init() {}
}

/// One printable part of a case.
public struct CasePart: Sendable {
    /// "front" or "back".
    public var name: String
    /// Closed, consistently oriented solid in mm, counter-clockwise outward, in the input
    /// mesh's own coordinates (placed around the mini as assembled).
    public var mesh: TriangleMesh
    /// Unit direction in which the mini leaves this part.
    public var extraction: Vec3

    public init(name: String, mesh: TriangleMesh, extraction: Vec3) {
        self.name = name
        self.mesh = mesh
        self.extraction = extraction
    }
}

/// What `CaseGenerator` made.
public struct CaseResult: Sendable {
    /// The parts, front first.
    public var parts: [CasePart]
    /// Grid cell size actually used, in mm.
    public var resolution: Float
    /// The parting plane's y coordinate in mm (input coordinates).
    public var partingY: Float
    /// Things the caller should tell the user (coarsened resolution, widened walls, …).
    public var warnings: [String]
    /// `lid` style: the detected base footprint of the mini (nil for other styles or when none).
    public var base: BaseFootprint? = nil
    /// `tray` style: the translation applied to each mini to pack it (mm); the parts lie around
    /// the packed minis. Empty for other styles.
    public var offsets: [Vec3] = []
    /// Magnet pocket centres in mm (x, z), the same in both halves.
    public var magnets: [(x: Float, z: Float)] = []
    /// What was engraved on the back half's back face, and where.
    public var engravings: [EngravingPlacement] = []
}

/// Why no case could be made; `message` names the offending value.
public struct CaseError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
