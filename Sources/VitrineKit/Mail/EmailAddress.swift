/// An email address as typed, and the form that decides whether two addresses are the same
/// person for trials: trimmed and lower-cased; a `+tag` subaddress dropped for every domain;
/// for gmail.com and googlemail.com also the dots in the local part, with googlemail.com read
/// as gmail.com. Non-ASCII (IDN, unicode local parts) is kept as it is.
public struct EmailAddress: Equatable, Sendable {
    /// The address to write to (trimmed, otherwise as given).
    public let address: String
    /// The address that identifies the person (see above).
    public let normalized: String

    public init(_ raw: String) throws(EmailAddressError) {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.utf8.count <= 254 else { throw .tooLong(trimmed.utf8.count) }
        guard !trimmed.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" || $0 == "," || $0 == ";" || $0 == "\"" || $0.asciiValue.map { $0 < 32 || $0 == 127 } == true })
        else { throw .invalidCharacter }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .notOneAt }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { throw .badLocalPart }
        guard !domain.isEmpty, domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..")
        else { throw .badDomain(String(domain)) }
        address = trimmed
        normalized = Self.normalize(local: String(local), domain: String(domain))
    }

    static func normalize(local: String, domain: String) -> String {
        var domain = domain.lowercased()
        var local = local.lowercased()
        if let plus = local.firstIndex(of: "+") { local = String(local[..<plus]) }
        if domain == "googlemail.com" { domain = "gmail.com" }
        if domain == "gmail.com" { local.removeAll { $0 == "." } }
        return local + "@" + domain
    }
}

public enum EmailAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty, tooLong(Int), invalidCharacter, notOneAt, badLocalPart, badDomain(String)

    public var description: String {
        switch self {
        case .empty: "the email address is empty"
        case .tooLong(let n): "the email address is \(n) bytes long; at most 254 are allowed"
        case .invalidCharacter: "the email address contains spaces, quotes, angle brackets or control characters"
        case .notOneAt: "an email address has exactly one @"
        case .badLocalPart: "the part before @ must be 1 to 64 characters"
        case .badDomain(let d): "'\(d)' is not a domain name"
        }
    }
}

import Foundation
