import Crypto
import Foundation
import Vapor

/// Random secrets and their stored form. Every secret the server hands out (session cookies,
/// API tokens, mailed tokens) is 32 random bytes in base64url; the database keeps only SHA-256 hex.
enum Secrets {
    /// 32 bytes from the system's CSPRNG, base64url without padding (43 characters).
    static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        return base64URL(bytes)
    }

    static func base64URL<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// What the database stores for a secret.
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The CSRF token of a session: derived from the session secret, so nothing more is stored,
    /// and it reveals nothing about the cookie.
    static func csrfToken(sessionSecret: String) -> String {
        base64URL(SHA256.hash(data: Data(("vitrine-csrf\u{0}" + sessionSecret).utf8)))
    }

    /// Equality without an early exit.
    static func equal(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).secureCompare(to: Array(b.utf8))
    }

    static let apiTokenPrefix = "vtr_"
}

/// Password rules: 10 to 128 characters (counted as Unicode characters), nothing else imposed.
enum PasswordRules {
    static let minimum = 10
    static let maximum = 128

    static func check(_ password: String) throws {
        let n = password.count
        if n < minimum { throw APIError.badRequest("weak_password", "the password must have at least \(minimum) characters; it has \(n)") }
        if n > maximum { throw APIError.badRequest("invalid_password", "the password must have at most \(maximum) characters; it has \(n)") }
    }
}

/// bcrypt on the thread pool (never on an event loop), at `Settings.bcryptCost`.
struct PasswordHashing: Sendable {
    let app: Application

    func hash(_ password: String) async throws -> String {
        let cost = app.vitrine.settings.bcryptCost
        return try await app.threadPool.runIfActive(eventLoop: app.eventLoopGroup.any()) {
            try Bcrypt.hash(password, cost: cost)
        }.get()
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await app.threadPool.runIfActive(eventLoop: app.eventLoopGroup.any()) {
            try Bcrypt.verify(password, created: hash)
        }.get()
    }

    /// Checks `password` against a hash nobody can match, so an unknown email costs as much time
    /// as a wrong password. The dummy hash is made once, at the configured cost.
    func verifyDummy(_ password: String) async throws {
        let dummy: String
        if let cached = app.accountsState.dummyHash {
            dummy = cached
        } else {
            dummy = try await hash(Secrets.generate())
            app.accountsState.dummyHash = dummy
        }
        _ = try await verify(password, hash: dummy)
    }
}

/// Process-wide state of the accounts feature.
final class AccountsState: @unchecked Sendable {
    private let lock = NSLock()
    private var _dummyHash: String?
    /// A bcrypt hash of a random password, made on first use.
    var dummyHash: String? {
        get { lock.withLock { _dummyHash } }
        set { lock.withLock { _dummyHash = newValue } }
    }
}

extension Application {
    private struct AccountsStateKey: StorageKey { typealias Value = AccountsState }

    /// Installed by `Accounts.configure`.
    var accountsState: AccountsState {
        get {
            guard let state = storage[AccountsStateKey.self] else { fatalError("Accounts.configure has not run") }
            return state
        }
        set { storage[AccountsStateKey.self] = newValue }
    }

    var passwordHashing: PasswordHashing { PasswordHashing(app: self) }
}
