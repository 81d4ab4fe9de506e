import Foundation

/// What a license allows. A trial needs only an email and allows a few marked generations;
/// the Pro tiers are unlimited and unmarked until they expire.
public enum LicenseTier: String, CaseIterable, Sendable, Codable {
    case trial, monthly, annual, lifetime

    /// The byte that stands for the tier inside a key (never renumber: keys in the wild carry it).
    public var code: UInt8 {
        switch self {
        case .trial: 0
        case .monthly: 1
        case .annual: 2
        case .lifetime: 3
        }
    }

    public init?(code: UInt8) {
        guard let tier = LicenseTier.allCases.first(where: { $0.code == code }) else { return nil }
        self = tier
    }

    /// Generations allowed over the license's life; nil is unlimited.
    public var generationLimit: Int? { self == .trial ? 3 : nil }

    /// Whether generated output carries the trial mark.
    public var marksOutput: Bool { self == .trial }

    /// When a license of this tier issued at `issued` expires; nil never (trials end by their count).
    public func expiry(issued: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch self {
        case .trial, .lifetime: return nil
        case .monthly: return calendar.date(byAdding: .month, value: 1, to: issued)
        case .annual: return calendar.date(byAdding: .year, value: 1, to: issued)
        }
    }
}
