import Fluent
import Foundation
import Logging
import Vapor
import VitrineKit

/// Entry points for the `vitrine` CLI: serve, migrate and license administration.
public enum ServerRuntime {
    /// A Vapor application that does not look at our command line (Vapor would parse it otherwise).
    static func makeApplication(settings: Settings) async throws -> Application {
        let env = Environment(name: "production", arguments: ["vitrine"])
        let app = try await Application.make(env)
        app.logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        return app
    }

    /// Runs the server until SIGINT or SIGTERM, then shuts down cleanly.
    public static func serve(settings: Settings) async throws {
        let app = try await makeApplication(settings: settings)
        WebApp.ensureEngine(webDirectory: settings.webDirectory, logger: app.logger)
        do {
            try await configure(app, settings)
            app.logger.notice("vitrine: database \(settings.databaseDescription), mail \(settings.mailer.rawValue), data in \(settings.dataDirectory)")
            try await app.execute()  // Vapor's serve: starts, waits for SIGINT/SIGTERM.
            // Let the HTTP server finish its in-flight requests and close its connections before
            // anything else stops: Vapor's own shutdown stops stored services in no set order, and
            // a request that arrived during a SIGTERM under load found the databases already gone
            // (Fluent's `req.db` traps on that).
            await app.server.shutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Runs the migrations that have not run yet.
    public static func migrate(settings: Settings) async throws {
        var settings = settings
        settings.autoMigrate = false
        try await withApplication(settings: settings) { app in
            try await app.autoMigrate()
            app.logger.notice("migrations up to date (\(Migrations.all.count) known)")
        }
    }

    /// Runs `body` with a configured, not serving application.
    public static func withApplication<T>(settings: Settings, _ body: (Application) async throws -> T) async throws -> T {
        var settings = settings
        settings.runsMailWorker = false
        settings.logsRequests = false
        let app = try await makeApplication(settings: settings)
        do {
            try await configure(app, settings)
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

extension Settings {
    /// The database, without credentials, for logs.
    var databaseDescription: String {
        switch database {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres(let url):
            if let u = URL(string: url) { "PostgreSQL \(u.host ?? "?"):\(u.port ?? 5432)\(u.path)" } else { "PostgreSQL" }
        }
    }
}

/// `vitrine license issue|show|revoke`.
public enum LicenseAdmin {
    public struct Summary: Sendable {
        public var id: UUID
        public var email: String
        public var tier: String
        public var status: String
        public var issuedAt: Date
        public var expiresAt: Date?
        public var generationsUsed: Int
        public var generationLimit: Int?
        public var key: String

        init(_ l: License, now: Date) {
            id = l.id!
            email = l.email
            tier = l.tier
            status = l.effectiveStatus(at: now)
            issuedAt = l.issuedAt
            expiresAt = l.expiresAt
            generationsUsed = l.generationsUsed
            generationLimit = l.generationLimit
            key = l.key
        }

        public var text: String {
            """
            license \(id.uuidString.lowercased())
              email        \(email)
              tier         \(tier)
              status       \(status)
              issued       \(issuedAt.iso8601)
              expires      \(expiresAt?.iso8601 ?? "never")
              generations  \(generationsUsed) of \(generationLimit.map(String.init) ?? "unlimited")
              key          \(key)
            """
        }
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// Issues a license and queues the mail with its key (sent by the running server's worker).
    public static func issue(app: Application, email: String, tier: LicenseTier, sendMail: Bool) async throws -> Summary {
        let address: EmailAddress
        do { address = try EmailAddress(email) } catch { throw Failure(description: error.description) }
        let service = LicenseService(app: app)
        do {
            let license = try await service.issue(email: address, tier: tier, sendMail: sendMail)
            return Summary(license, now: app.vitrine.now())
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Failure(description: "\(address.normalized) already has a trial; a person gets one trial")
        }
    }

    /// Licenses named by a key or an email address.
    public static func show(app: Application, keyOrEmail: String) async throws -> [Summary] {
        let now = app.vitrine.now()
        if keyOrEmail.contains("@") {
            let address: EmailAddress
            do { address = try EmailAddress(keyOrEmail) } catch { throw Failure(description: error.description) }
            return try await License.all(normalizedEmail: address.normalized, on: app.db).map { Summary($0, now: now) }
        }
        do {
            return [Summary(try await LicenseService(app: app).license(forKey: keyOrEmail), now: now)]
        } catch let error as APIError {
            throw Failure(description: error.reason)
        }
    }

    /// Revokes the license a key names; false when it was already revoked.
    public static func revoke(app: Application, key: String) async throws -> Bool {
        do { return try await LicenseService(app: app).revoke(key: key) } catch let error as APIError {
            throw Failure(description: error.reason)
        }
    }
}
