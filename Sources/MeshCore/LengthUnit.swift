/// A length unit a mesh file's coordinates may be in; Vitrine works in millimetres.
public enum LengthUnit: Sendable, Equatable, CaseIterable {
    case micron, millimetre, centimetre, metre, inch, foot

    /// How many millimetres one unit is.
    public var millimetres: Double {
        switch self {
        case .micron: return 0.001
        case .millimetre: return 1
        case .centimetre: return 10
        case .metre: return 1000
        case .inch: return 25.4
        case .foot: return 304.8
        }
    }

    /// Short name as used on the command line and in 3MF (`mm`, `cm`, `m`, `in`, …).
    public var symbol: String {
        switch self {
        case .micron: return "um"
        case .millimetre: return "mm"
        case .centimetre: return "cm"
        case .metre: return "m"
        case .inch: return "in"
        case .foot: return "ft"
        }
    }

    /// Parses a symbol or a 3MF unit name (`millimeter`, `inch`, …); nil when unknown.
    public init?(name: String) {
        switch ASCII.lowercased(name) {
        case "um", "micron", "micrometer", "micrometre": self = .micron
        case "mm", "millimeter", "millimetre": self = .millimetre
        case "cm", "centimeter", "centimetre": self = .centimetre
        case "m", "meter", "metre": self = .metre
        case "in", "inch", "inches": self = .inch
        case "ft", "foot", "feet": self = .foot
        default: return nil
        }
    }
}
