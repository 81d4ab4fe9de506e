import MeshCore

/// A guess of the length unit a unitless file (STL, OBJ, PLY) was drawn in, with the
/// reasoning a person can check.
public struct UnitGuess: Sendable, Equatable {
    /// The most likely unit of the file's coordinates.
    public var unit: LengthUnit
    /// Why, in one or two sentences, naming the alternatives when the size is ambiguous.
    public var reason: String

    public init(unit: LengthUnit, reason: String) {
        self.unit = unit
        self.reason = reason
    }
}

/// Guesses a file's unit from its size, assuming it is probably a tabletop miniature
/// (about 25–75 mm tall), a bust or statue (up to about 300 mm) or a piece of terrain.
public enum UnitGuesser {
    /// Guesses from the bounding-box size in file units, using the largest dimension:
    ///
    /// | largest   | guess  | because |
    /// |-----------|--------|---------|
    /// | < 0.5     | m      | as mm a speck; as metres 0–500 mm (scans and Blender use metres) |
    /// | 1.4–2.2   | m      | a life-size human in metres (1.4–2.2 m), though 36–56 mm in inches is possible |
    /// | 0.5–3     | in     | 13–76 mm as inches: mini-sized; as mm a speck, as metres huge |
    /// | 3–8       | cm     | 30–80 mm as centimetres; inches (76–203 mm) is the other reading |
    /// | 8–300     | mm     | already a plausible size in millimetres |
    /// | 300–3000  | mm     | large (a bust, a statue, terrain); scale down for a mini |
    /// | > 3000    | micron | as mm over 3 m; as microns 3 mm or more |
    public static func guess(size: Vec3) -> UnitGuess {
        let largest = Double(max(size.x, max(size.y, size.z)))
        guard size.isFinite, largest > 0 else {
            return UnitGuess(unit: .millimetre, reason: "the model has no extent, so there is no size to judge; assuming millimetres")
        }
        let l = text(largest)
        func mm(_ unit: LengthUnit) -> String { text(largest * unit.millimetres) + " mm" }

        if largest < 0.5 {
            return UnitGuess(
                unit: .metre,
                reason: "\(l) units across: as millimetres it would be a \(mm(.millimetre)) speck; as metres it is \(mm(.metre)), "
                    + (largest < 0.02 ? "small but plausible for a part" : largest <= 0.12 ? "miniature-sized" : "bust- or statue-sized")
                    + " (3D scans and Blender exports often use metres)"
            )
        }
        if largest >= 1.4 && largest <= 2.2 {
            return UnitGuess(
                unit: .metre,
                reason: "\(l) units across: that is the height of a life-size person in metres (\(mm(.metre))), common for body scans and Blender exports; "
                    + "if it is a small part drawn in inches it would be \(mm(.inch)), and as millimetres a \(mm(.millimetre)) speck"
            )
        }
        if largest < 3 {
            return UnitGuess(
                unit: .inch,
                reason: "\(l) units across: as millimetres it would be a \(mm(.millimetre)) speck and as metres \(mm(.metre)); "
                    + "as inches it is \(mm(.inch)), miniature-sized (US CAD tools default to inches)"
            )
        }
        if largest < 8 {
            return UnitGuess(
                unit: .centimetre,
                reason: "\(l) units across: as centimetres it is \(mm(.centimetre)), miniature-sized; it could also be inches (\(mm(.inch))), "
                    + "while as millimetres it would be a tiny \(mm(.millimetre)) part"
            )
        }
        if largest <= 300 {
            var reason = "\(l) units across: as millimetres that is already a plausible size"
            if largest < 15 {
                reason += ", though small for a whole figure; as centimetres it would be \(mm(.centimetre))"
            } else if largest <= 120 {
                reason += " for a miniature"
            } else {
                reason += " for a large model, bust or terrain piece"
            }
            return UnitGuess(unit: .millimetre, reason: reason)
        }
        if largest <= 3000 {
            return UnitGuess(
                unit: .millimetre,
                reason: "\(l) units across: as millimetres it is \(text(largest / 1000)) m, a large statue or terrain piece; "
                    + "scale it down for a miniature (no smaller unit gives a more plausible size)"
            )
        }
        return UnitGuess(
            unit: .micron,
            reason: "\(l) units across: as millimetres it would be \(text(largest / 1000)) m; as microns it is \(mm(.micron))"
        )
    }

    /// A number with up to three significant decimals, grouped when large.
    static func text(_ value: Double) -> String {
        if value >= 1000 { return ASCII.grouped(Int(value.rounded())) }
        if value >= 10 { return ASCII.decimal(value, fractionDigits: value >= 100 ? 0 : 1) }
        if value >= 0.01 { return ASCII.decimal(value, fractionDigits: 3) }
        return ASCII.decimal(value, fractionDigits: 6)
    }
}
