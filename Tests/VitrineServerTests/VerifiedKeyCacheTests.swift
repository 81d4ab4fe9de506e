import Crypto
import Foundation
import Testing
import VitrineKit
@testable import VitrineServer

/// The cache that spares `validate` an Ed25519 check per request must never accept what a fresh
/// verification would refuse.
struct VerifiedKeyCacheTests {
    let signer = LicenseSigner(privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 3, count: 32)))
    let other = LicenseSigner(privateKey: try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 4, count: 32)))

    func key(_ n: Int, signedBy signer: LicenseSigner) throws -> String {
        let payload = LicensePayload(
            keyID: signer.verifier.keyID, licenseID: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012x", n))!,
            tier: .trial, issuedAt: Date(timeIntervalSince1970: 1_767_225_600), expiresAt: nil)
        return try LicenseKey.make(payload, signer: signer)
    }

    @Test func aCachedKeyAnswersLikeAFreshVerification() throws {
        let cache = VerifiedKeyCache(capacity: 4)
        let key = try key(1, signedBy: signer)
        let first = try cache.payload(for: key, verifier: signer.verifier)
        #expect(try cache.payload(for: key, verifier: signer.verifier) == first)
        #expect(first == (try LicenseKey.verify(key, with: signer.verifier)))
    }

    @Test func aKeyCachedForOneSigningKeyIsCheckedAgainForAnother() throws {
        let cache = VerifiedKeyCache(capacity: 4)
        let key = try key(1, signedBy: signer)
        _ = try cache.payload(for: key, verifier: signer.verifier)
        #expect(throws: LicenseKeyError.self) { try cache.payload(for: key, verifier: other.verifier) }
    }

    @Test func forgedKeysAreNeverCachedAndAFullCacheStartsOver() throws {
        let cache = VerifiedKeyCache(capacity: 2)
        let forged = String(try key(1, signedBy: other))
        for _ in 0..<3 { #expect(throws: LicenseKeyError.self) { try cache.payload(for: forged, verifier: signer.verifier) } }
        #expect(cache.count == 0)
        for n in 1...5 { _ = try cache.payload(for: try key(n, signedBy: signer), verifier: signer.verifier) }
        #expect(cache.count <= 2)
        #expect(cache.count >= 1)
    }
}
