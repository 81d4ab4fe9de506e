import Fluent
import Foundation

/// One answered request: no query string, no body, no headers, the client address cut to /24 (IPv4) or /48 (IPv6).
final class RequestLog: Model, @unchecked Sendable {
    static let schema = "request_logs"

    @ID(key: .id) var id: UUID?
    @Field(key: "time") var time: Date
    @Field(key: "method") var method: String
    @Field(key: "path") var path: String
    @Field(key: "status") var status: Int
    @OptionalField(key: "ip") var ip: String?
    @Field(key: "duration_ms") var durationMs: Double

    init() {}

    init(id: UUID, time: Date, method: String, path: String, status: Int, ip: String?, durationMs: Double) {
        self.id = id
        self.time = time
        self.method = method
        self.path = path
        self.status = status
        self.ip = ip
        self.durationMs = durationMs
    }
}
