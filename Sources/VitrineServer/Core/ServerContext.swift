import Foundation
import Vapor
import VitrineKit

/// What the app's handlers and jobs share besides the database: settings, the clock, the ID
/// generator, the license signer and the mail deliverer. Tests replace `now`, `makeID` and
/// `deliverer` after `configure`.
public struct ServerContext: Sendable {
    public var settings: Settings
    public var now: @Sendable () -> Date
    public var makeID: @Sendable () -> UUID
    public var signer: LicenseSigner
    public var deliverer: MailDeliverer
    let requestLogs: RequestLogBuffer
    /// Keys whose signature has been checked, so a client polling `validate` pays for Ed25519 once.
    let verifiedKeys = VerifiedKeyCache()
}

/// License keys that passed signature verification, by their text. A key's payload never changes,
/// so a hit is as good as verifying again; only genuine keys get in, and the cache empties itself
/// when full, so forged keys cannot grow it. A hit still has to name the current signing key.
final class VerifiedKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var payloads: [String: LicensePayload] = [:]
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// Keys held now.
    var count: Int { lock.withLock { payloads.count } }

    /// The payload of `key`, verified with `verifier` unless a previous verification by the same key id is cached.
    func payload(for key: String, verifier: LicenseVerifier) throws(LicenseKeyError) -> LicensePayload {
        if let hit = lock.withLock({ payloads[key] }), hit.keyID == verifier.keyID { return hit }
        let payload = try LicenseKey.verify(key, with: verifier)
        lock.withLock {
            if payloads.count >= capacity { payloads.removeAll(keepingCapacity: true) }
            payloads[key] = payload
        }
        return payload
    }
}

extension Application {
    private struct ServerContextKey: StorageKey { typealias Value = ServerContext }

    /// The Vitrine context `configure` installed.
    public var vitrine: ServerContext {
        get {
            guard let context = storage[ServerContextKey.self] else { fatalError("configure(app, settings) has not run") }
            return context
        }
        set { storage[ServerContextKey.self] = newValue }
    }
}

extension Request {
    var vitrine: ServerContext { application.vitrine }
}
