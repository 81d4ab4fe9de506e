import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import VitrineKit

/// One SMTP reply: a three-digit code and its text lines (a multi-line reply is `250-…` lines then `250 …`).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { lines.joined(separator: " / ") }
    var isPositive: Bool { (200..<400).contains(code) }
}

/// Where and how to reach the SMTP server.
public struct SMTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var security: Settings.SMTPSecurity
    public var username: String?
    public var password: String?
    /// The name this client gives in EHLO (our own domain).
    public var heloName: String
    /// For connecting, and for each reply the server owes us.
    public var timeout: TimeAmount
    /// Certificates to trust; the system's when nil.
    public var trustRoots: NIOSSLTrustRoots?

    public init(
        host: String, port: Int, security: Settings.SMTPSecurity, username: String? = nil, password: String? = nil,
        heloName: String = "localhost", timeout: TimeAmount = .seconds(30), trustRoots: NIOSSLTrustRoots? = nil
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
        self.trustRoots = trustRoots
    }

    /// The server from `VITRINE_SMTP_*`; EHLO names the host of `VITRINE_PUBLIC_URL`.
    public init(settings: Settings) {
        let publicHost = URL(string: settings.publicURL)?.host ?? "localhost"
        self.init(
            host: settings.smtpHost, port: settings.smtpPort, security: settings.smtpSecurity,
            username: settings.smtpUsername, password: settings.smtpPassword,
            heloName: SMTPClient.isIPAddress(publicHost) ? "[\(publicHost)]" : publicHost,
            timeout: .milliseconds(Int64(settings.smtpTimeoutSeconds * 1000)),
            trustRoots: settings.smtpCAFile.map { .file($0) }
        )
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or implicit TLS, AUTH PLAIN/LOGIN,
/// MAIL FROM / RCPT TO / DATA with dot-stuffing, QUIT. One connection per mail: the outbox sends
/// a few mails a minute, not thousands.
///
/// Failures come out as `MailDeliveryError`: a 5xx reply is permanent (the worker gives up on that
/// mail), a 4xx reply, a refused or dropped connection, a TLS failure or a timeout is transient.
struct SMTPClient: Sendable {
    let configuration: SMTPConfiguration
    let tls: NIOSSLContext?
    let group: any EventLoopGroup

    init(configuration: SMTPConfiguration, group: any EventLoopGroup) throws {
        self.configuration = configuration
        self.group = group
        if configuration.security == .none {
            tls = nil
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if let roots = configuration.trustRoots { tlsConfiguration.trustRoots = roots }
            tls = try NIOSSLContext(configuration: tlsConfiguration)
        }
    }

    /// Sends `message` (rendered MIME, CRLF line ends) from `sender` to `recipient`; returns the
    /// server's final reply to the message (e.g. `250 2.0.0 Ok: queued as …`).
    func send(from sender: String, to recipient: String, message: String) async throws -> SMTPReply {
        let config = configuration
        let channel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        do {
            let tls = self.tls
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(config.timeout)
                .connect(host: config.host, port: config.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if config.security == .tls, let tls {
                            try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: SMTPClient.tlsName(config.host)))
                        }
                        try pipeline.addHandler(IdleStateHandler(readTimeout: config.timeout))
                        try pipeline.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try pipeline.addHandler(SMTPTimeoutHandler(timeout: config.timeout))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailDeliveryError.transient("SMTP: cannot connect to \(config.host):\(config.port): \(error)")
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound, client: self)
                return try await session.run(from: sender, to: recipient, message: message)
            }
        } catch let error as MailDeliveryError {
            throw error
        } catch {
            throw MailDeliveryError.transient("SMTP \(config.host):\(config.port): \(error)")
        }
    }

    /// The bare address in `Name <a@b>` (or the whole string when there are no angle brackets).
    static func envelopeAddress(_ s: String) -> String {
        if let open = s.lastIndex(of: "<"), let close = s.lastIndex(of: ">"), open < close {
            return String(s[s.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// The DATA payload: every line that starts with a dot gets another (RFC 5321 §4.5.2), the
    /// last line ends with CRLF, and the terminating `.` line follows.
    static func dotStuffed(_ message: String) -> String {
        var body = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        if body.hasPrefix(".") { body = "." + body }
        body = body.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        if !body.hasSuffix("\r\n") { body += "\r\n" }
        return body + ".\r\n"
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The name to send in SNI and check the certificate against: none for an IP address (SNI
    /// cannot carry one; the certificate is then checked against the address connected to).
    static func tlsName(_ host: String) -> String? { isIPAddress(host) ? nil : host }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// One conversation with the server, command by command.
private struct SMTPSession {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let client: SMTPClient
    var extensions: [String: String] = [:]
    var isEncrypted = false

    var config: SMTPConfiguration { client.configuration }

    mutating func run(from sender: String, to recipient: String, message: String) async throws -> SMTPReply {
        isEncrypted = config.security == .tls
        try expect(try await nextReply("greeting"), [220], "greeting")
        try await hello()
        if config.security == .starttls {
            guard extensions["STARTTLS"] != nil else {
                throw MailDeliveryError.permanent("SMTP \(config.host): the server does not offer STARTTLS; refusing to send in the clear (set VITRINE_SMTP_SECURITY)")
            }
            try expect(try await command("STARTTLS", step: "STARTTLS"), [220], "STARTTLS")
            try await startTLS()
            isEncrypted = true
            try await hello()  // RFC 3207: forget what was said before TLS.
        }
        if let username = config.username, let password = config.password {
            try await authenticate(username: username, password: password)
        }
        let from = SMTPClient.envelopeAddress(sender)
        let to = SMTPClient.envelopeAddress(recipient)
        let needsUTF8 = !(from + to).utf8.allSatisfy { $0 < 128 }
        if needsUTF8 && extensions["SMTPUTF8"] == nil {
            throw MailDeliveryError.permanent("SMTP \(config.host): the address needs SMTPUTF8, which the server does not offer")
        }
        try expect(try await command("MAIL FROM:<\(from)>\(needsUTF8 ? " SMTPUTF8" : "")", step: "MAIL FROM"), [250], "MAIL FROM")
        try expect(try await command("RCPT TO:<\(to)>", step: "RCPT TO"), [250, 251], "RCPT TO")
        try expect(try await command("DATA", step: "DATA"), [354], "DATA")
        try await outbound.write(ByteBuffer(string: SMTPClient.dotStuffed(message)))
        let accepted = try await nextReply("end of data")
        try expect(accepted, [250], "end of data")
        // The mail is accepted: a failing QUIT changes nothing.
        _ = try? await command("QUIT", step: "QUIT")
        return accepted
    }

    mutating func hello() async throws {
        let reply = try await command("EHLO \(config.heloName)", step: "EHLO")
        try expect(reply, [250], "EHLO")
        extensions = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            extensions[keyword.uppercased()] = parts.count > 1 ? String(parts[1]).uppercased() : ""
        }
    }

    /// Puts TLS under everything else in the pipeline; the handshake runs before the next command goes out.
    func startTLS() async throws {
        guard let tls = client.tls else { throw MailDeliveryError.permanent("SMTP: no TLS context") }
        let host = config.host
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: SMTPClient.tlsName(host)), position: .first)
        }.get()
    }

    mutating func authenticate(username: String, password: String) async throws {
        guard isEncrypted || SMTPClient.isLoopback(config.host) else {
            throw MailDeliveryError.permanent("SMTP \(config.host): refusing to send the password over an unencrypted connection (set VITRINE_SMTP_SECURITY=starttls or tls)")
        }
        let mechanisms = Set((extensions["AUTH"] ?? "").split(separator: " ").map(String.init))
        if mechanisms.contains("PLAIN") {
            let token = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            try expect(try await command("AUTH PLAIN \(token)", step: "AUTH PLAIN"), [235], "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try expect(try await command("AUTH LOGIN", step: "AUTH LOGIN"), [334], "AUTH LOGIN")
            try expect(try await command(Data(username.utf8).base64EncodedString(), step: "AUTH LOGIN user"), [334], "AUTH LOGIN user")
            try expect(try await command(Data(password.utf8).base64EncodedString(), step: "AUTH LOGIN password"), [235], "AUTH LOGIN")
        } else {
            throw MailDeliveryError.permanent("SMTP \(config.host): the server offers AUTH \(mechanisms.isEmpty ? "nothing" : mechanisms.sorted().joined(separator: " ")), not PLAIN or LOGIN")
        }
    }

    /// Sends one command line and reads its reply (errors name the step, never the line: it may hold a password).
    mutating func command(_ line: String, step: String) async throws -> SMTPReply {
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
        return try await nextReply(step)
    }

    mutating func nextReply(_ step: String) async throws -> SMTPReply {
        guard let reply = try await replies.next() else {
            throw MailDeliveryError.transient("SMTP \(config.host): the server closed the connection during \(step)")
        }
        return reply
    }

    /// A reply outside `codes` fails: permanently for 5xx, transiently otherwise.
    func expect(_ reply: SMTPReply, _ codes: Set<Int>, _ step: String) throws {
        guard !codes.contains(reply.code) else { return }
        throw MailDeliveryError(permanent: (500..<600).contains(reply.code), "SMTP \(config.host) \(step): \(reply.code) \(reply.text)")
    }
}

/// Bytes to replies: collects `250-…` continuation lines until the `250 …` line that ends the reply.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    private var pending: [String] = []
    private var pendingCode: Int?

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4096 { throw SMTPProtocolError(description: "a reply line longer than 4096 bytes") }
            return .needMoreData
        }
        // Bytes, not String: "\r\n" is one Character, so String suffix checks would miss it.
        var bytes = buffer.readBytes(length: newline - view.startIndex + 1) ?? []
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        let line = String(decoding: bytes, as: UTF8.self)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200..<600).contains(code) else {
            throw SMTPProtocolError(description: "not an SMTP reply: \(line.prefix(80))")
        }
        if let pendingCode, pendingCode != code { throw SMTPProtocolError(description: "reply code changed within a multi-line reply") }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        pending.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if separator == UInt8(ascii: "-") {
            pendingCode = code
            return .continue
        }
        context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: pending)))
        pending = []
        pendingCode = nil
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

struct SMTPProtocolError: Error, CustomStringConvertible {
    let description: String
}

/// Turns the idle-read event into an error for whoever waits on the next reply, and closes.
final class SMTPTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    typealias InboundOut = SMTPReply
    let timeout: TimeAmount

    init(timeout: TimeAmount) { self.timeout = timeout }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(MailDeliveryError.transient("SMTP: no reply within \(Double(timeout.nanoseconds) / 1e9) s"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}
