import Foundation
import Testing

/// A real SMTP server process for the tests: Tests/server/smtp_peer.py (Python's aiosmtpd) on a
/// free loopback port, with a self-signed certificate it makes with openssl. Without Python,
/// aiosmtpd or openssl the SMTP tests are skipped with a message, except under CI=true, where
/// they run and fail. scripts/test.sh installs aiosmtpd.
final class SMTPPeer: @unchecked Sendable {
    enum Mode: String { case starttls, tls, plain }

    static let available: Bool = {
        let ok = run(["python3", "-c", "import aiosmtpd"]) && run(["openssl", "version"])
        if !ok {
            FileHandle.standardError.write(Data("SKIP: SMTP tests against aiosmtpd (needs python3 with aiosmtpd and openssl; scripts/test.sh installs them)\n".utf8))
        }
        return ok
    }()
    /// Run the tests: the peer is there, or CI requires it (and its absence fails them).
    static let enabled = available || TestDatabase.isCI

    static let script: String = {
        // Tests/VitrineServerTests/SMTPPeer.swift → Tests/server/smtp_peer.py
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("server/smtp_peer.py").path
    }()

    let directory: String
    let port: Int
    var certificate: String { (directory as NSString).appendingPathComponent("cert.pem") }
    private let process: Process
    private let input: Pipe

    init(mode: Mode, user: String? = "mailer", password: String? = "s3cret pass", loginOnly: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-smtp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", Self.script, "--dir", directory, "--mode", mode.rawValue]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        if loginOnly { arguments.append("--no-plain") }
        process.arguments = arguments
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The first line is `READY <port>` once the server accepts connections.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let words = String(decoding: line, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, words[0] == "READY", let port = Int(words[1]) else {
            process.terminate()
            throw PeerFailed(description: "smtp_peer.py did not start: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    /// The messages the server accepted, in order: envelope, data, tls, auth_user, auth_mechanism, helo.
    func messages() -> [[String: Any]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("mail-") && $0.hasSuffix(".json") }
            .sorted { Int($0.dropFirst(5).dropLast(5)) ?? 0 < Int($1.dropFirst(5).dropLast(5)) ?? 0 }
        return names.compactMap { name in
            let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) ?? Data()
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` with a started peer, and stops it afterwards.
    static func with<T>(_ mode: Mode, user: String? = "mailer", password: String? = "s3cret pass", loginOnly: Bool = false,
                        _ body: (SMTPPeer) async throws -> T) async throws -> T {
        let peer = try SMTPPeer(mode: mode, user: user, password: password, loginOnly: loginOnly)
        do {
            let result = try await body(peer)
            peer.stop()
            return result
        } catch {
            peer.stop()
            throw error
        }
    }

    struct PeerFailed: Error, CustomStringConvertible { let description: String }

    private static func run(_ command: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
