import Fluent
import Foundation
import SQLKit
import Vapor
import VitrineKit

/// One kind of personal data another module deletes when it is old enough. The retention run calls
/// every registered purge with the injected clock's `now`; the purge picks its own window and
/// returns how many records it deleted.
///
/// Extension point for other modules: append in `configure`, e.g. the accounts module's
/// `app.retentionPurges.append(RetentionPurge(name: "deleted accounts") { now, db in
///     try await AccountDeletion.purge(before: now.addingTimeInterval(-window), on: db) })`.
public struct RetentionPurge: Sendable {
    public var name: String
    public var run: @Sendable (_ now: Date, _ database: any Database) async throws -> Int

    public init(name: String, run: @escaping @Sendable (_ now: Date, _ database: any Database) async throws -> Int) {
        self.name = name
        self.run = run
    }
}

extension Application {
    private struct RetentionPurgesKey: StorageKey { typealias Value = [RetentionPurge] }

    /// Purges other modules add (see `RetentionPurge`); run after the built-in ones.
    public var retentionPurges: [RetentionPurge] {
        get { storage[RetentionPurgesKey.self] ?? [] }
        set { storage[RetentionPurgesKey.self] = newValue }
    }
}

/// Deletes what the server no longer needs to keep (issue 4 §5), with windows from Settings:
/// - request logs older than `requestLogRetentionDays` (30);
/// - licenses whose expiry or revocation is more than `licenseRetentionDays` (90) ago, with the mails
///   that carried their keys;
/// - sent or failed outbox mails older than `outboxRetentionDays` (30): they hold addresses and keys;
/// - whatever the registered `retentionPurges` delete.
/// Active licenses and queued mail are never touched; payment records have their own (years-long)
/// purge, registered by Billing. Deletes go in
/// batches so a large backlog never holds a long lock.
public enum Retention {
    public struct Report: Sendable, Equatable {
        /// What was deleted, in the order the run went: (what, how many).
        public var deleted: [Entry]
        public var now: Date

        public struct Entry: Sendable, Equatable {
            public var name: String
            public var count: Int
        }

        public func count(_ name: String) -> Int? { deleted.first { $0.name == name }?.count }

        public var text: String {
            "retention at \(now.iso8601): deleted " + deleted.map { "\($0.count) \($0.name)" }.joined(separator: ", ")
        }
    }

    static let batchSize = 5_000

    /// Runs every purge once at the app's `now` and logs what it deleted.
    @discardableResult
    public static func run(_ app: Application) async throws -> Report {
        let settings = app.vitrine.settings
        let now = app.vitrine.now()
        let day: TimeInterval = 86_400
        let db = app.db
        var report = Report(deleted: [], now: now)

        let logCutoff = now.addingTimeInterval(-Double(settings.requestLogRetentionDays) * day)
        report.deleted.append(.init(name: "request logs", count: try await RequestLog.deleteOlder(than: logCutoff, limit: batchSize, on: db)))

        let licenseCutoff = now.addingTimeInterval(-Double(settings.licenseRetentionDays) * day)
        report.deleted.append(.init(name: "licenses", count: try await License.deleteEnded(before: licenseCutoff, limit: batchSize, on: db)))

        let outboxCutoff = now.addingTimeInterval(-Double(settings.outboxRetentionDays) * day)
        report.deleted.append(.init(name: "outbox mails", count: try await OutboxMessage.deleteFinished(before: outboxCutoff, limit: batchSize, on: db)))

        for purge in app.retentionPurges {
            report.deleted.append(.init(name: purge.name, count: try await purge.run(now, db)))
        }
        app.logger.notice("\(report.text)")
        return report
    }
}

extension RequestLog {
    /// Deletes request logs from before `cutoff`, `limit` rows per statement; returns how many.
    static func deleteOlder(than cutoff: Date, limit: Int, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        var total = 0
        while true {
            let rows = try await sql.raw("""
                DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE "time" < \(bind: cutoff) LIMIT \(literal: limit))
                RETURNING id
                """).all()
            total += rows.count
            if rows.count < limit { return total }
        }
    }
}

extension License {
    /// Deletes licenses that expired, or were revoked, before `cutoff`, and the outbox mails that
    /// carried their keys (one transaction per batch); returns how many licenses.
    static func deleteEnded(before cutoff: Date, limit: Int, on database: any Database) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.transaction { tx in
                let sql = tx as! any SQLDatabase
                let ended: SQLQueryString = """
                    SELECT id FROM licenses
                    WHERE (expires_at IS NOT NULL AND expires_at < \(bind: cutoff))
                       OR (status = 'revoked' AND revoked_at IS NOT NULL AND revoked_at < \(bind: cutoff))
                    LIMIT \(literal: limit)
                    """
                let ids = try await sql.raw(ended).all().map { try $0.decode(column: "id", as: UUID.self) }
                guard !ids.isEmpty else { return 0 }
                try await sql.raw("DELETE FROM outbox WHERE license_id IN (\(binds: ids))").run()
                try await sql.raw("DELETE FROM licenses WHERE id IN (\(binds: ids))").run()
                return ids.count
            }
            total += deleted
            if deleted < limit { return total }
        }
    }
}

extension OutboxMessage {
    /// Deletes sent and failed mails created before `cutoff` (queued and sending ones stay); returns how many.
    static func deleteFinished(before cutoff: Date, limit: Int, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        var total = 0
        while true {
            let rows = try await sql.raw("""
                DELETE FROM outbox WHERE id IN (
                    SELECT id FROM outbox WHERE status IN ('sent', 'failed') AND created_at < \(bind: cutoff) LIMIT \(literal: limit))
                RETURNING id
                """).all()
            total += rows.count
            if rows.count < limit { return total }
        }
    }
}

/// Runs `Retention.run` in the background while the app runs: first shortly after start (at most
/// five minutes, so frequent restarts still purge), then every `interval` seconds.
final class RetentionJob: LifecycleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private let interval: Double

    init(interval: Double) { self.interval = interval }

    func didBootAsync(_ app: Application) async throws {
        let interval = self.interval
        let t = Task {
            var wait = min(interval, 300)
            while !Task.isCancelled {
                do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch { return }
                do { try await Retention.run(app) } catch { app.logger.warning("retention: \(error)") }
                wait = interval
            }
        }
        lock.withLock { task = t }
    }

    func shutdownAsync(_ app: Application) async {
        let t = lock.withLock { task }
        t?.cancel()
        await t?.value
    }
}
