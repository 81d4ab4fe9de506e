import Fluent
import Foundation
import SQLKit

/// Fixed-window counters in the `rate_limits` table. Counting is one upsert-increment statement,
/// so several server processes on one database share the same counts.
enum RateLimit {
    /// What is limited; the raw value is the `action` column.
    enum Action: String, Sendable, CaseIterable {
        case login, signup, emailLink = "email_link", trial, checkout
    }

    /// Counts one hit for `subject` (`ip:…` or `email:…`) in the window holding `now`; returns the new count.
    static func hit(action: Action, subject: String, windowStart: Int64, id: UUID, on database: any Database) async throws -> Int {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            INSERT INTO rate_limits (id, action, subject, window_start, hits)
            VALUES (\(bind: id), \(bind: action.rawValue), \(bind: subject), \(bind: windowStart), 1)
            ON CONFLICT (action, subject, window_start) DO UPDATE SET hits = rate_limits.hits + 1
            RETURNING hits
            """).first()
        return try row!.decode(column: "hits", as: Int.self)
    }

    struct Row: Sendable {
        var action: String
        var windowStart: Int64
        var hits: Int
    }

    /// Every counter of one subject, oldest window first.
    static func rows(subject: String, on database: any Database) async throws -> [Row] {
        let sql = database as! any SQLDatabase
        return try await sql.raw("""
            SELECT action, window_start, hits FROM rate_limits WHERE subject = \(bind: subject) ORDER BY window_start, action
            """).all().map {
            Row(action: try $0.decode(column: "action", as: String.self),
                windowStart: try $0.decode(column: "window_start", as: Int64.self),
                hits: try $0.decode(column: "hits", as: Int.self))
        }
    }

    static func delete(subject: String, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DELETE FROM rate_limits WHERE subject = \(bind: subject)").run()
    }

    /// Drops counters of windows that began before `before` (for the retention job).
    static func deleteWindows(before: Date, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DELETE FROM rate_limits WHERE window_start < \(bind: Int64(before.timeIntervalSince1970))").run()
    }

    static func emailSubject(_ normalizedEmail: String) -> String { "email:" + normalizedEmail }
}
