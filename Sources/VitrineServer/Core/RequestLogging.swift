import Fluent
import Foundation
import SQLKit
import Vapor

/// One answered request as the middleware records it: a plain value, written with one SQL
/// insert per chunk (a Fluent model per request cost reflection at creation and at insert).
struct RequestLogEntry: Sendable {
    var id: UUID
    var time: Date
    var method: String
    var path: String
    var status: Int
    var ip: String?
    var durationMs: Double

    static func insert(_ entries: ArraySlice<RequestLogEntry>, on database: any Database) async throws {
        guard !entries.isEmpty else { return }
        let sql = database as! any SQLDatabase
        var insert = sql.insert(into: RequestLog.schema)
            .columns("id", "time", "method", "path", "status", "ip", "duration_ms")
        for e in entries {
            insert = insert.values(SQLBind(e.id), SQLBind(e.time), SQLBind(e.method), SQLBind(e.path), SQLBind(e.status), SQLBind(e.ip), SQLBind(e.durationMs))
        }
        try await insert.run()
    }
}

/// Answered requests waiting to be written to request_logs in one insert (one row write per
/// request would cost more than answering the request).
final class RequestLogBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [RequestLogEntry] = []
    /// Beyond this many unwritten entries new ones are dropped (and counted) rather than growing without bound.
    private let capacity = 100_000
    private var dropped = 0

    func append(_ entry: RequestLogEntry) {
        lock.withLock {
            if entries.count < capacity { entries.append(entry) } else { dropped += 1 }
        }
    }

    func take() -> (entries: [RequestLogEntry], dropped: Int) {
        lock.withLock {
            defer { entries = []; dropped = 0 }
            return (entries, dropped)
        }
    }

    /// Writes what is buffered, in chunks; a failure is logged and those entries are lost.
    static func flush(_ app: Application) async {
        let (entries, dropped) = app.vitrine.requestLogs.take()
        if dropped > 0 { app.logger.warning("request log: \(dropped) entries dropped (buffer full)") }
        var start = 0
        while start < entries.count {
            let chunk = entries[start..<min(entries.count, start + 500)]
            do { try await RequestLogEntry.insert(chunk, on: app.db) } catch { app.logger.warning("request log: \(chunk.count) entries not written: \(error)") }
            start += 500
        }
    }
}

/// Records method, path (no query), status, truncated client address and duration of each request.
/// Future-based (no task per request), like the other global middlewares.
struct RequestLogMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // Consented analytics promise that no address is kept, not even a truncated one.
        // (URI.path is recomputed on each access: read it once.)
        let path = request.url.path
        if path == "/api/v1/analytics" { return next.respond(to: request) }
        let started = ContinuousClock.now
        return next.respond(to: request).map { response in
            let elapsed = ContinuousClock.now - started
            let context = request.vitrine
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            context.requestLogs.append(RequestLogEntry(
                id: context.makeID(), time: context.now(), method: request.method.rawValue,
                path: String(path.prefix(300)), status: Int(response.status.code),
                ip: request.remoteAddress?.ipAddress.map(truncatedIP), durationMs: ms
            ))
            return response
        }
    }
}

/// An IPv4 address cut to its /24 (`203.0.113.0`), an IPv6 one to its /48 (`2001:db8:1::`).
func truncatedIP(_ ip: String) -> String {
    if ip.contains(":") {
        if ip.hasPrefix("::ffff:"), ip.contains(".") { return truncatedIP(String(ip.dropFirst(7))) }
        var groups: [String] = []
        let halves = ip.components(separatedBy: "::")
        let head = halves[0].split(separator: ":").map(String.init)
        let tail = halves.count > 1 ? halves[1].split(separator: ":").map(String.init) : []
        groups = head + Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) + tail
        let kept = groups.prefix(3).map { String(Int($0, radix: 16) ?? 0, radix: 16) }
        return kept.joined(separator: ":") + "::"
    }
    let parts = ip.split(separator: ".")
    guard parts.count == 4 else { return "" }
    return parts.prefix(3).joined(separator: ".") + ".0"
}
