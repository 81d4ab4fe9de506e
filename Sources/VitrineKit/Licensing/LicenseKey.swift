@preconcurrency import Crypto
import Foundation

/// What a license key says, signed by the server: format version, which server key signed it,
/// the license id, tier, issue date and expiry. Dates are whole seconds since 1970 (UTC).
public struct LicensePayload: Equatable, Sendable {
    public static let currentVersion: UInt8 = 1
    /// version 1 + key id 4 + license id 16 + tier 1 + issued 4 + expires 4.
    static let byteCount = 30

    public var version: UInt8
    public var keyID: [UInt8]
    public var licenseID: UUID
    public var tier: LicenseTier
    public var issuedAt: Date
    public var expiresAt: Date?

    public init(keyID: [UInt8], licenseID: UUID, tier: LicenseTier, issuedAt: Date, expiresAt: Date?) {
        self.version = Self.currentVersion
        self.keyID = keyID
        self.licenseID = licenseID
        self.tier = tier
        self.issuedAt = Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down))
        self.expiresAt = expiresAt.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [version]
        out += keyID
        withUnsafeBytes(of: licenseID.uuid) { out += $0 }
        out.append(tier.code)
        out += Self.bigEndian(UInt32(clamping: Int64(issuedAt.timeIntervalSince1970)))
        out += Self.bigEndian(expiresAt.map { UInt32(clamping: Int64($0.timeIntervalSince1970)) } ?? 0)
        return out
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func readUInt32(_ b: ArraySlice<UInt8>) -> UInt32 {
        b.reduce(0) { ($0 << 8) | UInt32($1) }
    }
}

/// Why a string is not a valid license key for this server, in words a person can act on.
public enum LicenseKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingPrefix
    case invalidCharacter(Character, position: Int)
    case wrongLength(symbols: Int, expected: Int)
    case unsupportedVersion(UInt8)
    case unknownTier(UInt8)
    case otherServer(keyID: String, expected: String)
    case badSignature

    public var description: String {
        switch self {
        case .missingPrefix: "a license key starts with VTR-"
        case .invalidCharacter(let c, let position): "character \(position) ('\(c)') is not part of a license key (digits and letters except U)"
        case .wrongLength(let symbols, let expected) where symbols < expected:
            "the key is truncated: \(symbols) of \(expected) characters (not counting dashes)"
        case .wrongLength(let symbols, let expected): "the key is too long: \(symbols) characters, a key has \(expected) (not counting dashes)"
        case .unsupportedVersion(let v): "key format version \(v) is not supported by this server"
        case .unknownTier(let t): "the key names tier \(t), which this server does not know"
        case .otherServer(let keyID, let expected):
            "the key names another server's signing key (key id \(keyID), this server's is \(expected)): it was issued by another Vitrine server, or mistyped"
        case .badSignature: "the key's signature does not match its contents: it was mistyped or altered"
        }
    }
}

/// Encodes and checks license keys: `VTR-` then the payload and its Ed25519 signature in
/// Crockford base32, in dash-separated groups of five. Input ignores case, dashes and spaces.
public enum LicenseKey {
    public static let prefix = "VTR-"
    static let signatureByteCount = 64
    /// Symbols after the prefix: (30 + 64) bytes at 5 bits a symbol.
    public static let symbolCount = ((LicensePayload.byteCount + signatureByteCount) * 8 + 4) / 5
    /// Signed bytes start with this context so a signature made for anything else never verifies as a key.
    static let context = Array("vitrine-license-v1".utf8)

    /// The typeable key for `payload`, signed with `signer`.
    public static func make(_ payload: LicensePayload, signer: LicenseSigner) throws -> String {
        let body = payload.bytes
        let signature = try signer.privateKey.signature(for: context + body)
        let symbols = CrockfordBase32.encode(body + Array(signature))
        var grouped = ""
        for (i, c) in symbols.enumerated() {
            if i > 0 && i % 5 == 0 { grouped.append("-") }
            grouped.append(c)
        }
        return prefix + grouped
    }

    /// The payload of `key` if its signature verifies with `verifier`'s public key; otherwise the reason it does not.
    public static func verify(_ key: String, with verifier: LicenseVerifier) throws(LicenseKeyError) -> LicensePayload {
        let (body, signature) = try split(key)
        let payload = try parse(body)
        guard payload.keyID == verifier.keyID else {
            throw .otherServer(keyID: hex(payload.keyID), expected: hex(verifier.keyID))
        }
        guard verifier.publicKey.isValidSignature(signature, for: context + body) else { throw .badSignature }
        return payload
    }

    /// The canonical form of a key as typed (upper case, dashes in place), or nil if it cannot be one.
    public static func canonical(_ key: String) -> String? {
        guard let (body, signature) = try? split(key) else { return nil }
        let symbols = CrockfordBase32.encode(body + signature)
        var grouped = ""
        for (i, c) in symbols.enumerated() {
            if i > 0 && i % 5 == 0 { grouped.append("-") }
            grouped.append(c)
        }
        return prefix + grouped
    }

    static func split(_ key: String) throws(LicenseKeyError) -> (body: [UInt8], signature: [UInt8]) {
        let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 3, trimmed.prefix(3).uppercased() == "VTR" else { throw .missingPrefix }
        var values: [UInt8] = []
        values.reserveCapacity(symbolCount)
        for (offset, c) in trimmed.dropFirst(3).enumerated() {
            if c == "-" || c == " " { continue }
            guard let ascii = c.asciiValue, let v = CrockfordBase32.value(of: ascii) else {
                throw .invalidCharacter(c, position: offset + 4)
            }
            values.append(v)
        }
        guard values.count == symbolCount else { throw .wrongLength(symbols: values.count, expected: symbolCount) }
        // Non-zero padding bits can only come from a mistyped last symbol: the signature check says so.
        guard let bytes = CrockfordBase32.decode(values: values) else { throw .badSignature }
        return (Array(bytes[..<LicensePayload.byteCount]), Array(bytes[LicensePayload.byteCount...]))
    }

    static func parse(_ b: [UInt8]) throws(LicenseKeyError) -> LicensePayload {
        guard b[0] == LicensePayload.currentVersion else { throw .unsupportedVersion(b[0]) }
        guard let tier = LicenseTier(code: b[21]) else { throw .unknownTier(b[21]) }
        let id = UUID(uuid: (b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], b[20]))
        let issued = LicensePayload.readUInt32(b[22..<26])
        let expires = LicensePayload.readUInt32(b[26..<30])
        return LicensePayload(
            keyID: Array(b[1..<5]), licenseID: id, tier: tier,
            issuedAt: Date(timeIntervalSince1970: TimeInterval(issued)),
            expiresAt: expires == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(expires))
        )
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// A server's public key and its id: all a client needs to verify keys offline.
public struct LicenseVerifier: Sendable {
    public let publicKey: Curve25519.Signing.PublicKey
    /// The first 4 bytes of SHA-256 of the raw public key; every key carries its signer's id.
    public let keyID: [UInt8]

    public init(publicKey: Curve25519.Signing.PublicKey) {
        self.publicKey = publicKey
        self.keyID = Array(SHA256.hash(data: publicKey.rawRepresentation).prefix(4))
    }

    /// From the base64 of the raw 32-byte public key (as `GET /api/v1/license/public-key` serves it).
    public init(base64: String) throws {
        guard let raw = Data(base64Encoded: base64) else { throw LicenseSigningKeyError.notBase64 }
        self.init(publicKey: try Curve25519.Signing.PublicKey(rawRepresentation: raw))
    }

    public var keyIDHex: String { LicenseKey.hex(keyID) }
    public var publicKeyBase64: String { publicKey.rawRepresentation.base64EncodedString() }
}

public enum LicenseSigningKeyError: Error, CustomStringConvertible, Equatable {
    case notBase64
    case wrongSize(Int)

    public var description: String {
        switch self {
        case .notBase64: "the license signing key is not base64"
        case .wrongSize(let n): "the license signing key must be 32 raw bytes (base64), got \(n) bytes"
        }
    }
}

/// The server's Ed25519 private key for signing license keys.
public struct LicenseSigner: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let verifier: LicenseVerifier

    public init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.verifier = LicenseVerifier(publicKey: privateKey.publicKey)
    }

    /// From the base64 of the raw 32-byte private key (`VITRINE_LICENSE_SIGNING_KEY`, or the key file).
    public init(base64: String) throws(LicenseSigningKeyError) {
        guard let raw = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw .notBase64 }
        guard raw.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else { throw .wrongSize(raw.count) }
        self.init(privateKey: key)
    }

    public static func generate() -> LicenseSigner { LicenseSigner(privateKey: Curve25519.Signing.PrivateKey()) }

    public var base64: String { privateKey.rawRepresentation.base64EncodedString() }
}
