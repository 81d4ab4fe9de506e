import Fluent
import Foundation
import NIOCore
import NIOPosix
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// The SMTP deliverer against a real SMTP server process (aiosmtpd) on loopback, through the
/// production `configure` with `VITRINE_MAILER=smtp` settings, on both databases.
@Suite(.enabled(if: SMTPPeer.enabled, "needs python3 with aiosmtpd and openssl"))
struct SMTPDelivererTests {
    static func smtpSettings(_ peer: SMTPPeer, _ security: Settings.SMTPSecurity, user: String? = "mailer", password: String? = "s3cret pass") -> (inout Settings) -> Void {
        { s in
            s.mailer = .smtp
            s.smtpHost = "127.0.0.1"
            s.smtpPort = peer.port
            s.smtpSecurity = security
            s.smtpUsername = user
            s.smtpPassword = password
            s.smtpCAFile = peer.certificate
            s.smtpTimeoutSeconds = 10
            s.publicURL = "https://vitrine.example.org"
            s.mailFrom = "Vitrine <licenses@vitrine.example.org>"
        }
    }

    func requireAvailable() throws {
        guard SMTPPeer.available else {
            Issue.record("CI=true but python3 with aiosmtpd or openssl is missing")
            throw SMTPPeer.PeerFailed(description: "no SMTP peer")
        }
    }

    @Test(arguments: TestDatabase.all)
    func trialMailArrivesOverSTARTTLSWithAuthPlain(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.starttls) { peer in
            try await withApp(db, settings: Self.smtpSettings(peer, .starttls)) { env in
                #expect(env.app.vitrine.deliverer.name == "smtp")
                let res = try await env.post("api/v1/trial", #"{"email": "Painter+minis@Example.com"}"#)
                #expect(res.status == .accepted)
                #expect(try await MailDelivery.deliverDue(env.app) == 1)

                let received = peer.messages()
                try #require(received.count == 1)
                let mail = received[0]
                #expect(mail["tls"] as? Bool == true)
                #expect(mail["auth_user"] as? String == "mailer")
                #expect(mail["auth_mechanism"] as? String == "PLAIN")
                #expect(mail["helo"] as? String == "vitrine.example.org")
                #expect(mail["mail_from"] as? String == "licenses@vitrine.example.org")
                #expect(mail["rcpt_tos"] as? [String] == ["Painter+minis@Example.com"])
                let data = try #require(mail["data"] as? String)
                let license = try #require(try await License.query(on: env.app.db).first())
                #expect(data.contains(license.key))
                for header in ["Date: ", "Message-ID: <", "MIME-Version: 1.0", "Subject: Your Vitrine trial key",
                               "Content-Type: multipart/alternative", "Content-Type: text/plain; charset=utf-8", "Content-Type: text/html; charset=utf-8"] {
                    #expect(data.contains(header), "missing \(header)")
                }
                let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "sent")
                #expect(row.attempts == 1)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func implicitTLSWithAuthLogin(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.tls, loginOnly: true) { peer in
            try await withApp(db, settings: Self.smtpSettings(peer, .tls)) { env in
                _ = try await LicenseAdmin.issue(app: env.app, email: "pro@example.com", tier: .annual, sendMail: true)
                #expect(try await MailDelivery.deliverDue(env.app) == 1)
                let received = peer.messages()
                try #require(received.count == 1)
                #expect(received[0]["tls"] as? Bool == true)
                #expect(received[0]["auth_mechanism"] as? String == "LOGIN")
                #expect(received[0]["auth_user"] as? String == "mailer")
                #expect((received[0]["data"] as? String)?.contains("Subject: Your Vitrine license key") == true)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func dotStuffingUTF8SubjectAndAddress(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.plain, user: nil, password: nil) { peer in
            try await withApp(db, settings: Self.smtpSettings(peer, .none, user: nil, password: nil)) { env in
                // A line that is a lone dot would end DATA early without dot-stuffing; a leading
                // dot would be eaten by the server.
                let text = "first\n.\n.leading dot\n..two dots\nlast"
                let message = MailMessage(from: "Vitrine <v@example.org>", to: "jürgen@example.org", subject: "Schlüssel für Jürgen",
                                          text: text, html: "<p>.</p>", messageID: "m1@vitrine", date: env.clock.now)
                try await env.app.vitrine.deliverer.deliver(OutgoingMail(id: UUID(), idempotencyKey: "test/1", message: message))
                let received = peer.messages()
                try #require(received.count == 1)
                let data = try #require(received[0]["data"] as? String)
                #expect(data.contains("\r\nfirst\r\n.\r\n.leading dot\r\n..two dots\r\nlast\r\n"))
                #expect(data.contains("Subject: =?utf-8?B?\(Data("Schlüssel für Jürgen".utf8).base64EncodedString())?="))
                #expect(received[0]["rcpt_tos"] as? [String] == ["jürgen@example.org"])
                #expect((received[0]["mail_options"] as? [String])?.contains("SMTPUTF8") == true)
                #expect(received[0]["tls"] as? Bool == false)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func fiveHundredRepliesFailForGoodFourHundredRepliesRetry(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.starttls) { peer in
            try await withApp(db, settings: Self.smtpSettings(peer, .starttls)) { env in
                _ = try await env.post("api/v1/trial", #"{"email": "perm-nobody@example.com"}"#)
                _ = try await env.post("api/v1/trial", #"{"email": "temp-busy@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                let rows = try await OutboxMessage.query(on: env.app.db).all()
                let permanent = try #require(rows.first { $0.recipient.hasPrefix("perm") })
                let transient = try #require(rows.first { $0.recipient.hasPrefix("temp") })
                #expect(permanent.status == "failed")
                #expect(permanent.attempts == 1)
                #expect(permanent.lastError?.contains("550") == true)
                #expect(transient.status == "queued")
                #expect(transient.attempts == 1)
                #expect(transient.lastError?.contains("451") == true)
                #expect(transient.nextAttemptAt > env.clock.now)
                #expect(peer.messages().isEmpty)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func wrongPasswordIsPermanent(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.starttls) { peer in
            try await withApp(db, settings: Self.smtpSettings(peer, .starttls, password: "wrong")) { env in
                _ = try await env.post("api/v1/trial", #"{"email": "a@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "failed")
                #expect(row.lastError?.contains("AUTH PLAIN: 535") == true, "\(row.lastError ?? "")")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func refusesToSendInTheClearWhenSTARTTLSIsMissing(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.plain) { peer in
            try await withApp(db, settings: Self.smtpSettings(peer, .starttls)) { env in
                _ = try await env.post("api/v1/trial", #"{"email": "a@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "failed")
                #expect(row.lastError?.contains("does not offer STARTTLS") == true)
                #expect(peer.messages().isEmpty)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func untrustedCertificateIsTransient(db: TestDatabase) async throws {
        try requireAvailable()
        try await SMTPPeer.with(.tls) { peer in
            try await withApp(db, settings: { s in Self.smtpSettings(peer, .tls)(&s); s.smtpCAFile = nil }) { env in
                _ = try await env.post("api/v1/trial", #"{"email": "a@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "queued")
                #expect(peer.messages().isEmpty)
            }
        }
    }
}

/// Failures that need no SMTP server process: a refused connection and a server that never answers.
@Suite struct SMTPConnectionTests {
    @Test(arguments: TestDatabase.all)
    func refusedConnectionIsTransient(db: TestDatabase) async throws {
        let port = try await SilentServer.unusedPort()
        try await withApp(db, settings: { $0.mailer = .smtp; $0.smtpHost = "127.0.0.1"; $0.smtpPort = port; $0.smtpSecurity = .none }) { env in
            _ = try await env.post("api/v1/trial", #"{"email": "a@example.com"}"#)
            #expect(try await MailDelivery.deliverDue(env.app) == 0)
            let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
            #expect(row.status == "queued")
            #expect(row.lastError?.contains("cannot connect") == true, "\(row.lastError ?? "")")
        }
    }

    @Test(arguments: TestDatabase.all)
    func silentServerTimesOut(db: TestDatabase) async throws {
        let server = try await SilentServer.start()
        try await withApp(db) { env in
            let deliverer = try MailDeliverer.smtp(
                // Long enough that a loaded machine still connects within it (the timeout covers
                // the connect too; at 200 ms a busy CI run once timed out connecting instead).
                SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none, timeout: .seconds(2)),
                group: env.app.eventLoopGroup, logger: env.app.logger)
            let message = MailMessage(from: "v@example.org", to: "a@example.org", subject: "s", text: "t", html: "h", messageID: "x@vitrine", date: env.clock.now)
            let error = await #expect(throws: MailDeliveryError.self) {
                try await deliverer.deliver(OutgoingMail(id: UUID(), idempotencyKey: "k", message: message))
            }
            #expect(error?.permanent == false)
            #expect(error?.description.contains("no reply within") == true, "\(error?.description ?? "")")
        }
        try await server.stop()
    }

    @Test func replyDecoderJoinsMultilineReplies() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SMTPReplyDecoder()))
        try channel.writeInbound(ByteBuffer(string: "250-first\r\n250-STARTTLS\r\n"))
        #expect(try channel.readInbound(as: SMTPReply.self) == nil)
        try channel.writeInbound(ByteBuffer(string: "250 last\r\n354 go ahead\r\n"))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 250, lines: ["first", "STARTTLS", "last"]))
        #expect(try channel.readInbound(as: SMTPReply.self) == SMTPReply(code: 354, lines: ["go ahead"]))
        #expect(throws: (any Error).self) { _ = try channel.writeInbound(ByteBuffer(string: "hello\r\n")) }
    }

    @Test func envelopeAddressAndDotStuffing() {
        #expect(SMTPClient.envelopeAddress("Vitrine <licenses@example.com>") == "licenses@example.com")
        #expect(SMTPClient.envelopeAddress(" a@b.c ") == "a@b.c")
        #expect(SMTPClient.dotStuffed(".a\r\nb\r\n.\r\nc") == "..a\r\nb\r\n..\r\nc\r\n.\r\n")
        #expect(SMTPClient.dotStuffed("x\n.y\n") == "x\r\n..y\r\n.\r\n")
    }
}

/// A TCP server that accepts connections and never says anything.
struct SilentServer {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start() async throws -> SilentServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentServer(channel: channel)
    }

    func stop() async throws { try await channel.close().get() }

    /// A port nothing listens on (bound, then closed).
    static func unusedPort() async throws -> Int {
        let server = try await start()
        let port = server.port
        try await server.stop()
        return port
    }
}
