import Fluent
import Foundation
import SQLKit
import Vapor
import VitrineKit

/// Sign-up, login, mailed links, profile changes and deactivation. Replies that could tell
/// whether an address has an account are the caller's to keep identical; this type makes the
/// work behind them look alike too (a password is hashed or checked on every path).
struct AccountService {
    let app: Application
    let database: any Database
    var context: ServerContext { app.vitrine }

    init(request: Request) {
        self.app = request.application
        self.database = request.db
    }

    init(app: Application) {
        self.app = app
        self.database = app.db
    }

    /// A new session: the secret for the cookie and the session row.
    struct NewSession {
        var secret: String
        var session: Session
        var user: User
        var csrfToken: String { Secrets.csrfToken(sessionSecret: secret) }
    }

    static let invalidCredentials = APIError(.unauthorized, "invalid_credentials", "the email address or the password is wrong")
    static let invalidToken = APIError(.badRequest, "invalid_token", "the link is unknown, already used or expired; ask for a new one")

    // MARK: Sign-up and verification

    /// Creates an unverified account and mails a verification link; if the address already has an
    /// account, mails its owner a notice instead and changes nothing.
    func signUp(email: EmailAddress, password: String, displayName: String) async throws {
        try PasswordRules.check(password)
        let name = try Self.checkedDisplayName(displayName)
        let hash = try await app.passwordHashing.hash(password)  // on every path, so both take as long
        if let existing = try await User.find(normalizedEmail: email.normalized, on: database) {
            if existing.deactivatedAt == nil {
                try await AccountMail.enqueue(.signupExists, to: existing.email, userID: existing.id!, context: context, on: database)
            }
            return
        }
        let now = context.now()
        let user = User()
        user.id = context.makeID()
        user.email = email.address
        user.normalizedEmail = email.normalized
        user.displayName = name
        user.passwordHash = hash
        user.createdAt = now
        do {
            try await database.transaction { db in
                try await user.create(on: db)
                let token = try await issueEmailToken(.verifyEmail, userID: user.id!, on: db)
                try await AccountMail.enqueue(.verifyEmail, to: user.email, userID: user.id!, token: token, context: context, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return  // a concurrent sign-up for the same address won; the reply is the same
        }
    }

    /// Uses a verification link.
    func verifyEmail(token: String) async throws {
        let now = context.now()
        try await database.transaction { db in
            guard let used = try await EmailToken.consume(tokenHash: Secrets.hash(token), purpose: .verifyEmail, now: now, on: db),
                  let user = try await User.active(id: used.userID, on: db)
            else { throw Self.invalidToken }
            try await User.markVerified(id: user.id!, normalizedEmail: user.normalizedEmail, now: now, on: db)
        }
    }

    // MARK: Login, sessions, magic links, password reset

    /// Checks email and password; one error for an unknown address and a wrong password, after the same bcrypt work.
    func logIn(email rawEmail: String, password: String) async throws -> NewSession {
        let email = try? EmailAddress(rawEmail)
        let user = try await email.asyncMap { try await User.find(normalizedEmail: $0.normalized, on: database) } ?? nil
        guard let user, user.deactivatedAt == nil, let hash = user.passwordHash, password.count <= PasswordRules.maximum else {
            try await app.passwordHashing.verifyDummy(String(password.prefix(PasswordRules.maximum)))
            throw Self.invalidCredentials
        }
        guard try await app.passwordHashing.verify(password, hash: hash) else { throw Self.invalidCredentials }
        return try await startSession(user: user, on: database)
    }

    func startSession(user: User, on db: any Database) async throws -> NewSession {
        let now = context.now()
        let secret = Secrets.generate()
        let session = Session(
            id: context.makeID(), userID: user.id!, tokenHash: Secrets.hash(secret),
            createdAt: now, expiresAt: now.addingTimeInterval(context.settings.sessionLifetimeSeconds))
        try await session.create(on: db)
        return NewSession(secret: secret, session: session, user: user)
    }

    func logOut(sessionID: UUID) async throws {
        try await Session.revoke(id: sessionID, now: context.now(), on: database)
    }

    /// Mails a password-reset or magic-login link if the address has an active account; nothing otherwise.
    func requestLink(_ purpose: EmailToken.Purpose, email: EmailAddress) async throws {
        guard let user = try await User.find(normalizedEmail: email.normalized, on: database), user.deactivatedAt == nil else { return }
        let kind: AccountMail.Kind = purpose == .resetPassword ? .resetPassword : .magicLink
        try await database.transaction { db in
            let token = try await issueEmailToken(purpose, userID: user.id!, on: db)
            try await AccountMail.enqueue(kind, to: user.email, userID: user.id!, token: token, context: context, on: db)
        }
    }

    /// Sets a new password from a reset link: every session and API token is revoked, the address
    /// counts as verified (the person read its mail), and the other reset links stop working.
    func resetPassword(token: String, password: String) async throws {
        try PasswordRules.check(password)
        let hash = try await app.passwordHashing.hash(password)
        let now = context.now()
        try await database.transaction { db in
            guard let used = try await EmailToken.consume(tokenHash: Secrets.hash(token), purpose: .resetPassword, now: now, on: db),
                  let user = try await User.active(id: used.userID, on: db)
            else { throw Self.invalidToken }
            user.passwordHash = hash
            try await user.save(on: db)
            try await User.markVerified(id: user.id!, normalizedEmail: user.normalizedEmail, now: now, on: db)
            try await Session.revokeAll(userID: user.id!, now: now, on: db)
            try await APIToken.revokeAll(userID: user.id!, now: now, on: db)
            try await EmailToken.expireAll(userID: user.id!, purposes: [.resetPassword, .magicLink], now: now, on: db)
        }
    }

    /// Logs in with a magic link (which also verifies the address).
    func logInWithLink(token: String) async throws -> NewSession {
        let now = context.now()
        return try await database.transaction { db in
            guard let used = try await EmailToken.consume(tokenHash: Secrets.hash(token), purpose: .magicLink, now: now, on: db),
                  let user = try await User.active(id: used.userID, on: db)
            else { throw Self.invalidToken }
            try await User.markVerified(id: user.id!, normalizedEmail: user.normalizedEmail, now: now, on: db)
            if user.emailVerifiedAt == nil { user.emailVerifiedAt = now }
            return try await startSession(user: user, on: db)
        }
    }

    // MARK: Profile

    /// Corrects the display name at once; a new address needs confirming from that address (the old
    /// one is told). Returns the address waiting for confirmation. Taken addresses get the same
    /// answer (the new address is told someone tried), so this cannot probe for accounts.
    func updateProfile(user: User, displayName: String?, email rawEmail: String?) async throws -> String? {
        let newEmail: EmailAddress?
        do { newEmail = try rawEmail.map { try EmailAddress($0) } } catch { throw APIError.badRequest("invalid_email", (error as? EmailAddressError)?.description ?? "\(error)") }
        let name = try displayName.map(Self.checkedDisplayName)
        guard name != nil || newEmail != nil else {
            throw APIError.badRequest("missing_field", "send display_name, email or both")
        }
        try await database.transaction { db in
            if let name {
                user.displayName = name
                try await user.save(on: db)
            }
            guard let newEmail, newEmail.normalized != user.normalizedEmail else { return }
            if let other = try await User.find(normalizedEmail: newEmail.normalized, on: db) {
                if other.deactivatedAt == nil {
                    try await AccountMail.enqueue(.signupExists, to: other.email, userID: other.id!, context: context, on: db)
                }
                return
            }
            try await EmailToken.expireAll(userID: user.id!, purposes: [.changeEmail], now: context.now(), on: db)
            let token = try await issueEmailToken(.changeEmail, userID: user.id!, newEmail: newEmail.address, on: db)
            try await AccountMail.enqueue(.confirmNewEmail, to: newEmail.address, userID: user.id!, token: token, context: context, on: db)
            try await AccountMail.enqueue(.emailChangeNotice, to: user.email, userID: user.id!, newEmail: newEmail.address, context: context, on: db)
        }
        return newEmail.map(\.address)
    }

    /// Makes the confirmed new address the account's.
    func confirmEmailChange(token: String) async throws {
        let now = context.now()
        do {
            try await database.transaction { db in
                guard let used = try await EmailToken.consume(tokenHash: Secrets.hash(token), purpose: .changeEmail, now: now, on: db),
                      let raw = used.newEmail, let email = try? EmailAddress(raw),
                      let user = try await User.active(id: used.userID, on: db)
                else { throw Self.invalidToken }
                user.email = email.address
                user.normalizedEmail = email.normalized
                user.emailVerifiedAt = nil
                try await user.save(on: db)
                try await User.markVerified(id: user.id!, normalizedEmail: email.normalized, now: now, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw APIError(.conflict, "email_taken", "another account took this address meanwhile; nothing was changed")
        }
    }

    /// Deactivates at once: sessions and tokens revoked, licenses voided. `AccountDeletion.purge`
    /// removes the personal data later.
    func deactivate(user: User) async throws {
        let now = context.now()
        try await database.transaction { db in
            _ = try await User.deactivate(user, now: now, on: db)
        }
    }

    // MARK: API tokens

    /// A new API token; the secret is returned once and only its hash is kept.
    func createToken(user: User, name rawName: String) async throws -> (token: APIToken, secret: String) {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count), !name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) else {
            throw APIError.badRequest("invalid_name", "the token name must be 1 to 100 characters on one line")
        }
        let secret = Secrets.apiTokenPrefix + Secrets.generate()
        let token = APIToken(
            id: context.makeID(), userID: user.id!, name: name, tokenHash: Secrets.hash(secret),
            prefix: String(secret.prefix(Secrets.apiTokenPrefix.count + 6)), createdAt: context.now())
        try await token.create(on: database)
        return (token, secret)
    }

    // MARK: Helpers

    func issueEmailToken(_ purpose: EmailToken.Purpose, userID: UUID, newEmail: String? = nil, on db: any Database) async throws -> String {
        let now = context.now()
        let secret = Secrets.generate()
        let row = EmailToken()
        row.id = context.makeID()
        row.userID = userID
        row.purpose = purpose.rawValue
        row.tokenHash = Secrets.hash(secret)
        row.newEmail = newEmail
        row.createdAt = now
        row.expiresAt = now.addingTimeInterval(purpose.lifetime)
        try await row.create(on: db)
        return secret
    }

    static func checkedDisplayName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else {
            throw APIError.badRequest("invalid_display_name", "the display name must be 1 to 100 characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badRequest("invalid_display_name", "the display name must not contain control characters or line breaks")
        }
        return name
    }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
