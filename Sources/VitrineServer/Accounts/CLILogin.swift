import AsyncHTTPClient
import Foundation
import Vapor

/// `vitrine login SERVER`: logs in with email and password, makes an API token named after this
/// machine, logs the session out again, and keeps only the token in a file only the user can read.
public enum CLILogin {
    public struct Credentials: Codable, Equatable, Sendable {
        public var server: String
        public var email: String
        public var token: String
        public var tokenID: String
        public var createdAt: String

        enum CodingKeys: String, CodingKey {
            case server, email, token, tokenID = "token_id", createdAt = "created_at"
        }
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    /// `VITRINE_CREDENTIALS`, else `~/.config/vitrine/credentials.json` (XDG_CONFIG_HOME respected).
    public static func credentialsPath(environment env: [String: String]) -> String {
        if let path = env["VITRINE_CREDENTIALS"], !path.isEmpty { return path }
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.config")
        return config + "/vitrine/credentials.json"
    }

    public static func logIn(server rawServer: String, email: String, password: String, tokenName: String) async throws -> Credentials {
        let server = rawServer.hasSuffix("/") ? String(rawServer.dropLast()) : rawServer
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw Failure(description: "'\(rawServer)' is not a server address like https://vitrine.example.com")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await run(client: client, server: server, email: email, password: password, tokenName: tokenName)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private static func run(client: HTTPClient, server: String, email: String, password: String, tokenName: String) async throws -> Credentials {
        let login = try await send(client, .POST, server + "/api/v1/session", json: ["email": email, "password": password])
        guard login.status == .ok else { throw failure(login, "login") }
        guard let cookie = login.headers["set-cookie"].first(where: { $0.hasPrefix("vitrine_session=") })?.split(separator: ";").first,
              let csrf = login.json["csrf_token"] as? String
        else { throw Failure(description: "the server's login reply has no session; is \(server) a Vitrine server?") }
        let session: [(String, String)] = [("Cookie", String(cookie)), ("X-CSRF-Token", csrf)]
        let made = try await send(client, .POST, server + "/api/v1/tokens", json: ["name": tokenName], headers: session)
        guard made.status == .created, let token = made.json["token"] as? String, let id = made.json["id"] as? String else {
            throw failure(made, "creating an API token")
        }
        _ = try? await send(client, .DELETE, server + "/api/v1/session", json: nil, headers: session)
        let formatter = ISO8601DateFormatter()
        return Credentials(server: server, email: email, token: token, tokenID: id, createdAt: formatter.string(from: Date()))
    }

    struct Reply {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var json: [String: Any]
    }

    private static func send(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, json: [String: String]?, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: .seconds(30)) } catch {
            throw Failure(description: "cannot reach \(url): \(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, headers: response.headers, json: object)
    }

    private static func failure(_ reply: Reply, _ step: String) -> Failure {
        let reason = reply.json["reason"] as? String ?? "HTTP \(reply.status.code)"
        return Failure(description: "\(step) failed: \(reason)")
    }

    /// Stores `credentials` (replacing those of the same server) in `path`, a JSON list, created with
    /// mode 0600 in a directory created with mode 0700; an existing file is set to 0600 too.
    public static func save(_ credentials: Credentials, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var all = (try? load(from: path)) ?? []
        all.removeAll { $0.server == credentials.server }
        all.append(credentials)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(all)
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, 0o600)
        close(fd)
        guard written == data.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(path)")
        }
    }

    public static func load(from path: String) throws -> [Credentials] {
        try JSONDecoder().decode([Credentials].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
