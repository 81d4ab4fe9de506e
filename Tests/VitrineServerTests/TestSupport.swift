import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// The databases every server test runs on. PostgreSQL needs VITRINE_TEST_POSTGRES_URL (scripts/test.sh
/// starts a throwaway server and sets it); without it those cases are skipped with a message, except
/// under CI=true, where they run and fail.
enum TestDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["VITRINE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static let all: [TestDatabase] = {
        if postgresURL != nil || isCI { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("SKIP: PostgreSQL cases of VitrineServerTests (VITRINE_TEST_POSTGRES_URL is not set; scripts/test.sh sets it)\n".utf8))
        return [.sqlite]
    }()
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// Sequential IDs, so failures name the same rows every run.
final class TestIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var next: UInt64 = 1
    func make() -> UUID {
        let n = lock.withLock { defer { next += 1 }; return next }
        return UUID(uuidString: String(format: "00000000-0000-4000-8000-%012llx", n))!
    }
}

struct TestEnv {
    let app: Application
    let clock: TestClock
    let dataDirectory: String
    var outboxDirectory: String { (dataDirectory as NSString).appendingPathComponent("outbox") }
}

/// At most `limit` holders at once; the rest wait in arrival order.
actor TestGate {
    private let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(limit: Int) { self.limit = limit }

    func enter() async {
        if inUse < limit { inUse += 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot straight to the next waiter, so a newcomer cannot overtake it.
    func leave() {
        if waiting.isEmpty { inUse -= 1 } else { waiting.removeFirst().resume() }
    }

    /// Swift Testing starts every test at once; each PostgreSQL app holds up to 16 pooled connections
    /// until shutdown, so unbounded, a few dozen of them exhaust the server's max_connections
    /// ("too many clients already") and an unlucky test fails.
    static let postgresApps = TestGate(limit: 8)
}

/// PSQLError's description hides the server's message; tests need it to say what went wrong.
struct ReadableTestError: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(reflecting: error) }
}

/// Runs `body` with the production `configure` on a fresh database of kind `database` and a temp data directory.
func withApp(
    _ database: TestDatabase,
    settings modify: (inout Settings) -> Void = { _ in },
    _ body: (TestEnv) async throws -> Void
) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var settings = Settings(dataDirectory: dir, host: "127.0.0.1", port: 0)
    settings.runsMailWorker = false
    settings.autoMigrate = true
    settings.bcryptCost = 4              // bcrypt's minimum: tests check logic, not cost
    settings.rateLimitEnabled = false    // RateLimitTests turn it on
    if database == .postgres {
        guard TestDatabase.postgresURL != nil else {
            Issue.record("VITRINE_TEST_POSTGRES_URL is not set but CI=true requires the PostgreSQL cases")
            return
        }
        await TestGate.postgresApps.enter()
    }
    do {
        try await withScratchApp(database, dataDirectory: dir, settings: settings, modify: modify, body)
    } catch {
        if database == .postgres { await TestGate.postgresApps.leave() }
        // The test target does not link PostgresNIO, so PSQLError is recognised by name.
        throw String(describing: type(of: error)).hasPrefix("PSQL") ? ReadableTestError(error) : error
    }
    if database == .postgres { await TestGate.postgresApps.leave() }
}

private func withScratchApp(
    _ database: TestDatabase,
    dataDirectory dir: String,
    settings: Settings,
    modify: (inout Settings) -> Void,
    _ body: (TestEnv) async throws -> Void
) async throws {
    var settings = settings
    var scratchDatabase: (admin: String, name: String)?
    if database == .postgres, let base = TestDatabase.postgresURL {
        let name = "vitrine_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await adminSQL(base, "CREATE DATABASE \(name)")
        scratchDatabase = (base, String(name))
        var components = URLComponents(string: base)!
        components.path = "/" + name
        settings.database = .postgres(url: components.string!)
    }
    modify(&settings)

    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    let clock = TestClock()
    let ids = TestIDs()
    do {
        try await configure(app, settings)
        app.vitrine.now = { clock.now }
        app.vitrine.makeID = { ids.make() }
        try await body(TestEnv(app: app, clock: clock, dataDirectory: dir))
    } catch {
        try? await app.asyncShutdown()
        if let scratchDatabase { try? await adminSQL(scratchDatabase.admin, "DROP DATABASE \(scratchDatabase.name) WITH (FORCE)") }
        throw error
    }
    try await app.asyncShutdown()
    if let scratchDatabase { try await adminSQL(scratchDatabase.admin, "DROP DATABASE \(scratchDatabase.name) WITH (FORCE)") }
}

/// One statement on the PostgreSQL server itself (CREATE/DROP DATABASE).
private func adminSQL(_ url: String, _ statement: String) async throws {
    let admin = try await Application.make(.testing)
    admin.logger.logLevel = .warning
    do {
        admin.databases.use(try .postgres(url: url), as: .psql)
        try await (admin.db as! any SQLDatabase).raw(SQLQueryString(statement)).run()
    } catch {
        try? await admin.asyncShutdown()
        throw error
    }
    try await admin.asyncShutdown()
}

extension TestEnv {
    /// POSTs `body` as raw bytes with a JSON content type.
    func post(_ path: String, _ body: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, path, headers: ["Content-Type": "application/json"], body: ByteBuffer(string: body))
    }

    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, path)
    }

    /// Sends every due mail and returns the .eml files in the outbox folder, oldest name first.
    func deliverMail() async throws -> [String] {
        try await MailDelivery.deliverDue(app)
        return emlFiles()
    }

    func emlFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outboxDirectory)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().map { try! String(contentsOfFile: (outboxDirectory as NSString).appendingPathComponent($0), encoding: .utf8) }
    }

    /// Starts a trial for `email` and returns the key from the mail it produced.
    func trialKey(_ email: String = "painter@example.com") async throws -> String {
        let before = emlFiles().count
        let res = try await post("api/v1/trial", #"{"email": "\#(email)"}"#)
        #expect(res.status == .accepted)
        let mails = try await deliverMail()
        #expect(mails.count == before + 1)
        return try #require(mails.compactMap(extractKey).last)
    }

    func count(_ table: String) async throws -> Int {
        let row = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
        return try row!.decode(column: "n", as: Int.self)
    }
}

/// The first license key in a mail's text.
func extractKey(_ mail: String) -> String? {
    guard let range = mail.range(of: #"VTR-[0-9A-Z]{5}(-[0-9A-Z]{1,5})+"#, options: .regularExpression) else { return nil }
    return String(mail[range])
}

extension TestingHTTPResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }
}
