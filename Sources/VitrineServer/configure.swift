import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Vapor
import VitrineKit

/// Builds the app from `settings`: database, migrations, middleware, routes, the license signer,
/// the mail deliverer and the background jobs. Production and tests both use exactly this.
public func configure(_ app: Application, _ settings: Settings) async throws {
    try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)

    // SQLite runs its blocking calls on this pool and its busy handler waits for a lock by spinning
    // on a pool thread: with the default pool (one thread per core, shared by every app in the
    // process) two waiting writers can starve the transaction they wait for. Bcrypt runs here too.
    app.threadPool = NIOThreadPool(numberOfThreads: 16)

    switch settings.database {
    case .sqlite(let path):
        // Writers wait on SQLite's file lock, so under a burst (or a busy machine) a request may
        // queue for a connection longer than Fluent's default 10 s; it should wait, not fail.
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(60)), as: .sqlite)
    case .postgres(let url):
        // Several connections per event loop: requests wait on the database, not on the CPU.
        app.databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 8), as: .psql)
    }
    if case .sqlite = settings.database {
        // WAL lets readers run while one writer writes.
        let sql = app.db as! any SQLDatabase
        try await sql.raw("PRAGMA journal_mode = WAL").run()
    }
    for migration in Migrations.all { app.migrations.add(migration) }

    app.vitrine = ServerContext(
        settings: settings,
        now: { Date() },
        makeID: { UUID() },
        signer: try SigningKeyStore.load(settings: settings),
        deliverer: try makeDeliverer(app, settings),
        requestLogs: RequestLogBuffer()
    )

    app.http.server.configuration.hostname = settings.host
    app.http.server.configuration.port = settings.port
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: settings.maxBodyBytes)

    app.middleware = Middlewares()
    if settings.logsRequests { app.middleware.use(RequestLogMiddleware()) }
    app.middleware.use(APIErrorMiddleware())
    WebApp.install(on: app, directory: settings.webDirectory)
    app.middleware.use(BodyLimitMiddleware(maxBytes: settings.maxBodyBytes))

    HealthController.register(app.routes)
    LicenseController.register(app.routes.grouped("api", "v1"))
    AnalyticsController.register(app.routes)
    Accounts.configure(app)
    Billing.configure(app, settings)

    app.lifecycle.use(BackgroundJobs())
    if settings.retentionIntervalSeconds > 0 { app.lifecycle.use(RetentionJob(interval: settings.retentionIntervalSeconds)) }
    if settings.autoMigrate { try await app.autoMigrate() }
}

/// The deliverer `VITRINE_MAILER` names: dev (.eml files), smtp or resend.
func makeDeliverer(_ app: Application, _ settings: Settings) throws -> MailDeliverer {
    switch settings.mailer {
    case .dev:
        return .dev(directory: (settings.dataDirectory as NSString).appendingPathComponent("outbox"), logger: app.logger)
    case .smtp:
        return try .smtp(SMTPConfiguration(settings: settings), group: app.eventLoopGroup, logger: app.logger)
    case .resend:
        return .resend(
            ResendConfiguration(apiKey: settings.resendAPIKey ?? "", baseURL: settings.resendBaseURL, userAgent: "vitrine-server/1 (+\(settings.publicURL))"),
            client: app.http.client.shared, logger: app.logger
        )
    }
}
