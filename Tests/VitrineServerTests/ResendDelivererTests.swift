import Fluent
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// The Resend deliverer against a loopback fake of Resend, through the production `configure`
/// with `VITRINE_MAILER=resend` settings, on both databases.
@Suite struct ResendDelivererTests {
    static func resendSettings(_ fake: ResendFake, key: String = ResendFake.apiKey) -> (inout Settings) -> Void {
        { s in
            s.mailer = .resend
            s.resendAPIKey = key
            s.resendBaseURL = fake.baseURL
            s.mailRetryBaseSeconds = 30
            s.publicURL = "https://vitrine.example.org"
        }
    }

    @Test(arguments: TestDatabase.all)
    func trialMailGoesOutWithBearerUserAgentAndIdempotencyKey(db: TestDatabase) async throws {
        try await ResendFake.with { fake in
            try await withApp(db, settings: Self.resendSettings(fake)) { env in
                #expect(env.app.vitrine.deliverer.name == "resend")
                _ = try await env.post("api/v1/trial", #"{"email": "painter@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 1)

                let license = try #require(try await License.query(on: env.app.db).first())
                let sent = fake.messages
                try #require(sent.count == 1)
                #expect(sent[0].body["to"] as? [String] == ["painter@example.com"])
                #expect(sent[0].body["from"] as? String == env.app.vitrine.settings.mailFrom)
                #expect(sent[0].body["subject"] as? String == "Your Vitrine trial key")
                #expect((sent[0].body["text"] as? String)?.contains(license.key) == true)
                #expect((sent[0].body["html"] as? String)?.contains(license.key) == true)
                #expect(sent[0].headers.first(name: "Idempotency-Key") == "license-email/\(license.id!.uuidString.lowercased())")
                #expect(sent[0].headers.first(name: .userAgent)?.isEmpty == false)
                #expect(sent[0].headers.first(name: .authorization) == "Bearer \(ResendFake.apiKey)")
                #expect(try await OutboxMessage.query(on: env.app.db).first()?.status == "sent")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func rateLimitIsRetriedWithBackoffUnderTheSameKey(db: TestDatabase) async throws {
        try await ResendFake.with { fake in
            try await withApp(db, settings: Self.resendSettings(fake)) { env in
                fake.failNext(.tooManyRequests, name: "rate_limit_exceeded")
                _ = try await env.post("api/v1/trial", #"{"email": "painter@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                var row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "queued")
                #expect(row.lastError?.contains("rate_limit_exceeded") == true)
                #expect(row.nextAttemptAt == env.clock.now.addingTimeInterval(30))

                env.clock.advance(by: 29)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)   // not due yet: no request
                #expect(fake.requestHeaders.count == 1)
                env.clock.advance(by: 1)
                #expect(try await MailDelivery.deliverDue(env.app) == 1)

                #expect(fake.answers.count == 2)
                #expect(fake.answers[0] == "rate_limit_exceeded")
                #expect(fake.messages.count == 1)
                let keys = fake.requestHeaders.map { $0.first(name: "Idempotency-Key") }
                #expect(keys[0] != nil && keys[0] == keys[1])
                row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "sent")
                #expect(row.attempts == 2)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func serverErrorsRetryValidationErrorsDoNot(db: TestDatabase) async throws {
        try await ResendFake.with { fake in
            try await withApp(db, settings: Self.resendSettings(fake)) { env in
                fake.failNext(.internalServerError, name: "internal_server_error")
                fake.failNext(.unprocessableEntity, name: "validation_error")
                _ = try await env.post("api/v1/trial", #"{"email": "one@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                _ = try await env.post("api/v1/trial", #"{"email": "two@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                let rows = try await OutboxMessage.query(on: env.app.db).all()
                let one = try #require(rows.first { $0.recipient == "one@example.com" })
                let two = try #require(rows.first { $0.recipient == "two@example.com" })
                #expect(one.status == "queued")
                #expect(two.status == "failed")
                #expect(two.attempts == 1)
                #expect(two.lastError?.contains("validation_error") == true)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func wrongAPIKeyFailsForGood(db: TestDatabase) async throws {
        try await ResendFake.with { fake in
            try await withApp(db, settings: Self.resendSettings(fake, key: "re_wrong")) { env in
                _ = try await env.post("api/v1/trial", #"{"email": "one@example.com"}"#)
                #expect(try await MailDelivery.deliverDue(env.app) == 0)
                let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
                #expect(row.status == "failed")
                #expect(row.lastError?.contains("invalid_api_key") == true)
                #expect(fake.messages.isEmpty)
            }
        }
    }

    /// A reply lost on the way back: the worker sends again under the same key and Resend (the
    /// fake, as the real one) answers with the first id instead of sending a second mail.
    @Test(arguments: TestDatabase.all)
    func repeatedIdempotencyKeyGetsTheSameIDAndOneMail(db: TestDatabase) async throws {
        try await ResendFake.with { fake in
            try await withApp(db, settings: Self.resendSettings(fake)) { env in
                let message = MailMessage(from: "Vitrine <v@example.org>", to: "a@example.org", subject: "s", text: "t", html: "<p>h</p>",
                                          messageID: "m@vitrine", date: env.clock.now)
                let mail = OutgoingMail(id: UUID(), idempotencyKey: "license-email/abc", message: message)
                try await env.app.vitrine.deliverer.deliver(mail)
                try await env.app.vitrine.deliverer.deliver(mail)
                #expect(fake.messages.count == 1)
                #expect(fake.answers.count == 2)
                #expect(fake.answers[0] == fake.answers[1])
                // Same key, different body: Resend's 409 is not retried.
                var changed = mail
                changed.message.subject = "other"
                let error = await #expect(throws: MailDeliveryError.self) { try await env.app.vitrine.deliverer.deliver(changed) }
                #expect(error?.permanent == true)
                #expect(error?.description.contains("invalid_idempotent_request") == true)
            }
        }
    }

    @Test func settingsRequireAKeyForResend() {
        #expect(throws: SettingsError.self) { try Settings.load(environment: ["VITRINE_MAILER": "resend"]) }
        #expect(throws: SettingsError.self) { try Settings.load(environment: ["VITRINE_MAILER": "smtp"]) }
        #expect(throws: SettingsError.self) { try Settings.load(environment: ["VITRINE_MAILER": "resend", "VITRINE_RESEND_API_KEY": "k", "VITRINE_RESEND_BASE_URL": "ftp://x"]) }
        let s = try? Settings.load(environment: ["VITRINE_MAILER": "smtp", "VITRINE_SMTP_HOST": "mail.example.org", "VITRINE_SMTP_SECURITY": "tls"])
        #expect(s?.smtpPort == 465)
        #expect(s?.mailer == .smtp)
    }
}
