import Foundation
import Vapor

/// A loopback fake of Resend's `POST /emails` (shared/specs/providers.md §7): asserts the auth
/// scheme and required headers and fields the way Resend does, answers with Resend's error
/// envelope, records each sent message, replays the same id for a repeated Idempotency-Key (409
/// when the body differs), and can be scripted to fail the next requests.
final class ResendFake: @unchecked Sendable {
    struct Sent {
        var id: String
        var body: [String: Any]
        var headers: HTTPHeaders
    }

    static let apiKey = "re_test_0123456789"

    private let lock = NSLock()
    private var sent: [Sent] = []
    private var requests: [HTTPHeaders] = []
    private var replies: [String] = []
    private var byKey: [String: (body: Data, id: String)] = [:]
    private var script: [(HTTPResponseStatus, String)] = []
    private var nextID = 1
    let app: Application
    private(set) var baseURL = ""

    /// Everything accepted, in order (a replayed request is not a new message).
    var messages: [Sent] { lock.withLock { sent } }
    /// Headers of every request that reached the fake, accepted or not.
    var requestHeaders: [HTTPHeaders] { lock.withLock { requests } }
    /// The id or error name each request got, in order.
    var answers: [String] { lock.withLock { replies } }

    /// Makes the next requests fail with `status` and an envelope named `name`, one per request.
    func failNext(_ status: HTTPResponseStatus, name: String) {
        lock.withLock { script.append((status, name)) }
    }

    private init(app: Application) { self.app = app }

    static func start() async throws -> ResendFake {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let fake = ResendFake(app: app)
        app.post("emails") { req async throws -> Response in fake.handle(req) }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        fake.baseURL = "http://127.0.0.1:\(port)"
        return fake
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    private func handle(_ req: Request) -> Response {
        lock.withLock {
            requests.append(req.headers)
            let (status, name, id) = answer(req)
            replies.append(id ?? name)
            if let id { return Self.json(.ok, ["id": id]) }
            return Self.json(status, ["statusCode": Int(status.code), "message": "fake: \(name)", "name": name])
        }
    }

    /// Called with the lock held.
    private func answer(_ req: Request) -> (HTTPResponseStatus, String, String?) {
        guard let auth = req.headers.first(name: .authorization), auth.hasPrefix("Bearer ") else {
            return (.unauthorized, "missing_api_key", nil)
        }
        guard auth == "Bearer \(Self.apiKey)" else { return (.forbidden, "invalid_api_key", nil) }
        guard let agent = req.headers.first(name: .userAgent), !agent.isEmpty else { return (.forbidden, "validation_error", nil) }
        guard req.headers.contentType == .json else { return (.unprocessableEntity, "validation_error", nil) }
        let data = req.body.data.map { Data(buffer: $0) } ?? Data()
        guard let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return (.unprocessableEntity, "validation_error", nil)
        }
        for field in ["from", "to", "subject"] where body[field] == nil {
            return (.unprocessableEntity, "missing_required_field", nil)
        }
        guard body["html"] != nil || body["text"] != nil else { return (.unprocessableEntity, "missing_required_field", nil) }
        if !script.isEmpty {
            let (status, name) = script.removeFirst()
            return (status, name, nil)
        }
        let key = req.headers.first(name: "Idempotency-Key")
        if let key {
            guard key.count <= 256 else { return (.badRequest, "invalid_idempotency_key", nil) }
            if let earlier = byKey[key] {
                return earlier.body == data ? (.ok, "", earlier.id) : (.conflict, "invalid_idempotent_request", nil)
            }
        }
        let id = String(format: "00000000-0000-4000-9000-%012ld", nextID)
        nextID += 1
        if let key { byKey[key] = (data, id) }
        sent.append(Sent(id: id, body: body, headers: req.headers))
        return (.ok, "", id)
    }

    private static func json(_ status: HTTPResponseStatus, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }

    /// Runs `body` with a started fake, and stops it afterwards.
    static func with<T>(_ body: (ResendFake) async throws -> T) async throws -> T {
        let fake = try await start()
        do {
            let result = try await body(fake)
            try await fake.stop()
            return result
        } catch {
            try? await fake.stop()
            throw error
        }
    }
}
