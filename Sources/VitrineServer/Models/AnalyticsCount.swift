import Fluent
import Foundation
import SQLKit

/// How many times a usage event happened on one UTC day. This is all analytics keeps: no
/// address, no account, no time finer than the day, no file names — a count per
/// (day, event, detail), where detail is the event's few allowed properties (`style=lid`).
struct AnalyticsCount: Sendable, Equatable {
    var day: String
    var event: String
    var detail: String
    var count: Int

    /// Adds one to the day's count in one statement (several server processes may count at once).
    static func increment(day: String, event: String, detail: String, on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO analytics_counts (day, event, detail, count) VALUES (\(bind: day), \(bind: event), \(bind: detail), 1)
            ON CONFLICT (day, event, detail) DO UPDATE SET count = analytics_counts.count + 1
            """).run()
    }

    /// Every count, oldest day first (for `vitrine analytics` and tests).
    static func all(on database: any Database) async throws -> [AnalyticsCount] {
        let sql = database as! any SQLDatabase
        return try await sql.raw("SELECT day, event, detail, count FROM analytics_counts ORDER BY day, event, detail")
            .all()
            .map { row in
                AnalyticsCount(
                    day: try row.decode(column: "day", as: String.self),
                    event: try row.decode(column: "event", as: String.self),
                    detail: try row.decode(column: "detail", as: String.self),
                    count: try row.decode(column: "count", as: Int.self))
            }
    }
}
