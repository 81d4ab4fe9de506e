import Fluent
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// Outbox delivery: retries with backoff, recovery after a crash mid-send, and what a mail may contain.
@Suite struct MailTests {
    final class Attempts: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [OutgoingMail] = []
        func record(_ m: OutgoingMail) -> Int { lock.withLock { values.append(m); return values.count } }
        var all: [OutgoingMail] { lock.withLock { values } }
    }

    @Test(arguments: TestDatabase.all)
    func failedSendsRetryWithBackoffThenSucceed(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.mailRetryBaseSeconds = 30 }) { env in
            let attempts = Attempts()
            env.app.vitrine.deliverer = MailDeliverer(name: "flaky") { mail in
                struct Down: Error {}
                if attempts.record(mail) <= 2 { throw Down() }
            }
            _ = try await env.post("api/v1/trial", #"{"email": "retry@example.com"}"#)
            #expect(try await MailDelivery.deliverDue(env.app) == 0)   // attempt 1 fails
            #expect(try await MailDelivery.deliverDue(env.app) == 0)   // not due for 30 s
            env.clock.advance(by: 29)
            #expect(try await MailDelivery.deliverDue(env.app) == 0)
            #expect(attempts.all.count == 1)
            env.clock.advance(by: 1)
            #expect(try await MailDelivery.deliverDue(env.app) == 0)   // attempt 2 fails, next in 60 s
            env.clock.advance(by: 59)
            #expect(try await MailDelivery.deliverDue(env.app) == 0)
            env.clock.advance(by: 1)
            #expect(try await MailDelivery.deliverDue(env.app) == 1)   // attempt 3 succeeds
            let rows = try await OutboxMessage.query(on: env.app.db).all()
            #expect(rows.map(\.status) == ["sent"])
            #expect(rows.map(\.attempts) == [3])
            #expect(Set(attempts.all.map(\.idempotencyKey)).count == 1)
            #expect(attempts.all[0].idempotencyKey.hasPrefix("license-email/"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func givesUpAfterMaxAttempts(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.mailMaxAttempts = 2; $0.mailRetryBaseSeconds = 1 }) { env in
            env.app.vitrine.deliverer = MailDeliverer(name: "down") { _ in
                struct Down: Error, CustomStringConvertible { var description: String { "connection refused" } }
                throw Down()
            }
            _ = try await env.post("api/v1/trial", #"{"email": "never@example.com"}"#)
            try await MailDelivery.deliverDue(env.app)
            env.clock.advance(by: 10)
            try await MailDelivery.deliverDue(env.app)
            env.clock.advance(by: 1000)
            try await MailDelivery.deliverDue(env.app)
            let row = try #require(try await OutboxMessage.query(on: env.app.db).first())
            #expect(row.status == "failed")
            #expect(row.attempts == 2)
            #expect(row.lastError == "connection refused")
        }
    }

    @Test(arguments: TestDatabase.all)
    func mailClaimedByADeadWorkerIsSentAfterItsLease(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.mailLeaseSeconds = 300 }) { env in
            _ = try await env.post("api/v1/trial", #"{"email": "crash@example.com"}"#)
            // A worker claims the mail and dies before sending.
            let now = env.clock.now
            let claim = try await OutboxMessage.claimNext(now: now, leaseUntil: now.addingTimeInterval(300), on: env.app.db)
            #expect(claim != nil)
            #expect(try await MailDelivery.deliverDue(env.app) == 0)   // still leased
            env.clock.advance(by: 301)
            #expect(try await MailDelivery.deliverDue(env.app) == 1)
            #expect(env.emlFiles().count == 1)
            #expect(try await OutboxMessage.query(on: env.app.db).first()?.status == "sent")
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentWorkersSendEachMailOnce(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let attempts = Attempts()
            env.app.vitrine.deliverer = MailDeliverer(name: "count") { _ = attempts.record($0) }
            for i in 0..<10 { _ = try await env.post("api/v1/trial", #"{"email": "w\#(i)@example.com"}"#) }
            let app = env.app
            let sent = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await MailDelivery.deliverDue(app) } }
                return try await group.reduce(0, +)
            }
            #expect(sent == 10)
            #expect(attempts.all.count == 10)
            #expect(Set(attempts.all.map(\.id)).count == 10)
        }
    }

    @Test(arguments: TestDatabase.all)
    func mailsHaveTextAndHTMLAndNoRemoteImagesOrRedirects(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.publicURL = "https://vitrine.example.org" }) { env in
            let key = try await env.trialKey("look@example.com")
            _ = try await LicenseAdmin.issue(app: env.app, email: "pro@example.com", tier: .annual, sendMail: true)
            let mails = try await env.deliverMail()
            #expect(mails.count == 2)
            for mail in mails {
                #expect(mail.contains("Content-Type: multipart/alternative"))
                #expect(mail.contains("Content-Type: text/plain; charset=utf-8"))
                #expect(mail.contains("Content-Type: text/html; charset=utf-8"))
                #expect(!mail.lowercased().contains("<img"))
                #expect(!mail.lowercased().contains("url("))
                #expect(!mail.lowercased().contains("src="))
                let links = mail.matches(of: /https?:\/\/[^\s"<>]+/).map { String($0.output) }
                #expect(!links.isEmpty)
                #expect(links.allSatisfy { $0 == "https://vitrine.example.org" }, "\(links)")
                #expect(mail.contains("\r\n"))
            }
            #expect(mails.contains { $0.contains(key) && $0.contains("Subject: Your Vitrine trial key") })
        }
    }
}

@Suite struct MailMessageTests {
    @Test func nonASCIIGoesQuotedPrintableAndSubjectEncoded() {
        let m = MailMessage(from: "Vitrine <v@example.com>", to: "jürgen@example.com", subject: "Schlüssel",
                            text: "Grüße " + String(repeating: "x", count: 100), html: "<p>ok</p>", messageID: "1@vitrine", date: Date(timeIntervalSince1970: 0))
        let r = m.rendered()
        #expect(r.contains("Subject: =?utf-8?B?"))
        #expect(r.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(r.contains("Gr=C3=BC=C3=9Fe"))
        #expect(r.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(r.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }
}
