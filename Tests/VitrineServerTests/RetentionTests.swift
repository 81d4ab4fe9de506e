import Fluent
import SQLKit
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// The retention job with the injected clock, on both databases: what goes, what stays, the
/// hooks other modules add, and the in-process schedule.
@Suite struct RetentionTests {
    static let day: TimeInterval = 86_400

    /// A license row as it would be after `issued`, optionally revoked at `revoked`.
    static func license(_ env: TestEnv, _ n: Int, tier: LicenseTier, issued: Date, expires: Date?, revoked: Date? = nil) async throws -> UUID {
        let l = License()
        l.id = UUID(uuidString: String(format: "00000000-0000-4000-a000-%012ld", n))!
        l.email = "l\(n)@example.com"
        l.normalizedEmail = l.email
        l.tier = tier.rawValue
        l.status = revoked == nil ? "active" : "revoked"
        l.issuedAt = issued
        l.expiresAt = expires
        l.generationsUsed = 0
        l.generationLimit = tier.generationLimit
        l.revokedAt = revoked
        l.key = "VTR-TEST-\(n)"
        try await l.create(on: env.app.db)
        return l.id!
    }

    static func mail(_ env: TestEnv, _ n: Int, status: String, created: Date, license: UUID? = nil) async throws -> UUID {
        let m = OutboxMessage()
        m.id = UUID(uuidString: String(format: "00000000-0000-4000-b000-%012ld", n))!
        m.kind = "license"
        m.recipient = "m\(n)@example.com"
        m.subject = "s"
        m.textBody = "t"
        m.htmlBody = "h"
        m.idempotencyKey = "test/\(n)"
        m.licenseID = license
        m.status = status
        m.attempts = status == "queued" ? 0 : 1
        m.nextAttemptAt = created
        m.createdAt = created
        m.sentAt = status == "sent" ? created : nil
        try await m.create(on: env.app.db)
        return m.id!
    }

    static func log(_ env: TestEnv, _ n: Int, at time: Date) async throws -> UUID {
        let id = UUID(uuidString: String(format: "00000000-0000-4000-c000-%012ld", n))!
        try await RequestLog(id: id, time: time, method: "GET", path: "/healthz", status: 200, ip: "127.0.0.0", durationMs: 1).create(on: env.app.db)
        return id
    }

    @Test(arguments: TestDatabase.all)
    func deletesOnlyWhatIsPastItsWindow(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let now = env.clock.now
            let d = Self.day
            // Request logs: 30 days.
            let oldLog = try await Self.log(env, 1, at: now - 30 * d - 1)
            let recentLog = try await Self.log(env, 2, at: now - 30 * d + 60)
            // Licenses: 90 days after expiry or revocation.
            let trial = try await Self.license(env, 1, tier: .trial, issued: now - 900 * d, expires: nil)
            let lifetime = try await Self.license(env, 2, tier: .lifetime, issued: now - 900 * d, expires: nil)
            let expiredLongAgo = try await Self.license(env, 3, tier: .annual, issued: now - 500 * d, expires: now - 91 * d)
            let expiredRecently = try await Self.license(env, 4, tier: .monthly, issued: now - 119 * d, expires: now - 89 * d)
            let revokedLongAgo = try await Self.license(env, 5, tier: .trial, issued: now - 200 * d, expires: nil, revoked: now - 91 * d)
            let revokedRecently = try await Self.license(env, 6, tier: .lifetime, issued: now - 200 * d, expires: nil, revoked: now - 10 * d)
            let notYetExpired = try await Self.license(env, 7, tier: .annual, issued: now - 100 * d, expires: now + 265 * d)
            // Outbox: finished mail after 30 days; mails carrying a deleted license's key go with it.
            let oldSent = try await Self.mail(env, 1, status: "sent", created: now - 31 * d)
            let oldFailed = try await Self.mail(env, 2, status: "failed", created: now - 31 * d)
            let oldQueued = try await Self.mail(env, 3, status: "queued", created: now - 31 * d)
            let recentSent = try await Self.mail(env, 4, status: "sent", created: now - 2 * d, license: expiredRecently)
            let keyOfDeleted = try await Self.mail(env, 5, status: "sent", created: now - 2 * d, license: expiredLongAgo)

            let report = try await Retention.run(env.app)

            #expect(report.count("request logs") == 1)
            #expect(report.count("licenses") == 2)
            #expect(report.count("outbox mails") == 2)
            #expect(report.now == now)
            let logs = Set(try await RequestLog.query(on: env.app.db).all().compactMap(\.id))
            #expect(logs == [recentLog])
            #expect(!logs.contains(oldLog))
            let licenses = Set(try await License.query(on: env.app.db).all().compactMap(\.id))
            #expect(licenses == [trial, lifetime, expiredRecently, revokedRecently, notYetExpired])
            #expect(!licenses.contains(revokedLongAgo))
            let mails = Set(try await OutboxMessage.query(on: env.app.db).all().compactMap(\.id))
            #expect(mails == [oldQueued, recentSent])
            #expect(!mails.contains(oldSent) && !mails.contains(oldFailed) && !mails.contains(keyOfDeleted))

            // A second run finds nothing; a day later the next log goes.
            #expect(try await Retention.run(env.app).deleted.allSatisfy { $0.count == 0 })
            env.clock.advance(by: 2 * d)
            let later = try await Retention.run(env.app)
            #expect(later.count("request logs") == 1)
            #expect(later.count("licenses") == 1)   // expiredRecently is now past 90 days
        }
    }

    @Test(arguments: TestDatabase.all)
    func windowsComeFromSettingsAndDeletesGoInBatches(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.requestLogRetentionDays = 7 }) { env in
            let now = env.clock.now
            for n in 0..<10 { _ = try await Self.log(env, n, at: now - 8 * Self.day) }
            let count = try await env.count("request_logs")
            let kept = try await Self.log(env, 99_999_999, at: now - 6 * Self.day)
            let report = try await Retention.run(env.app)
            #expect(report.count("request logs") == count)
            #expect(try await RequestLog.query(on: env.app.db).all().compactMap(\.id) == [kept])
            // The batch loop itself: a limit smaller than the backlog still deletes everything.
            for n in 0..<7 { _ = try await Self.log(env, 200 + n, at: now - 8 * Self.day) }
            #expect(try await RequestLog.deleteOlder(than: now - 7 * Self.day, limit: 3, on: env.app.db) == 7)
            #expect(try await env.count("request_logs") == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func registeredPurgesRunWithTheInjectedClock(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let seen = Seen()
            env.app.retentionPurges.append(RetentionPurge(name: "deleted accounts") { now, _ in
                seen.record(now)
                return 4
            })
            let report = try await Retention.run(env.app)
            #expect(seen.values == [env.clock.now])
            #expect(report.count("deleted accounts") == 4)
            #expect(report.text.contains("4 deleted accounts"))
        }
    }

    /// The in-process job: started by the app's lifecycle, it runs on its own (no call from the test).
    @Test(arguments: TestDatabase.all)
    func inProcessJobRunsOnItsInterval(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.retentionIntervalSeconds = 0.01 }) { env in
            let oldLog = try await Self.log(env, 1, at: env.clock.now - 31 * Self.day)
            let (runs, continuation) = AsyncStream<Int>.makeStream()
            let counter = Seen()
            env.app.retentionPurges.append(RetentionPurge(name: "probe") { now, _ in
                continuation.yield(counter.record(now))
                return 0
            })
            try await env.app.asyncBoot()
            var iterator = runs.makeAsyncIterator()
            let first = await iterator.next()
            let second = await iterator.next()
            #expect(first == 1 && second == 2)
            #expect(try await RequestLog.find(oldLog, on: env.app.db) == nil)
        }
    }

    /// Paid licenses: a subscription cancelled at period end and a refunded lifetime order are deleted
    /// 90 days after they ended, while their payment records stay for the legal period.
    @Test(arguments: TestDatabase.all)
    func endedPaidLicensesGoPaymentRecordsStay(db: TestDatabase) async throws {
        try await withApp(db, settings: { BillingFixtures.configure(&$0); $0.paymentRecordYears = 2 }) { env in
            typealias F = BillingFixtures
            let t = env.clock.now, end = t + 30 * Self.day
            _ = try await env.polarWebhook(F.polar("order.paid", at: t, F.polarOrder("ord_1", email: "sub@example.com", product: "prod_monthly", subscription: "psub_1", amount: 500, periodEnd: end)), id: "e1")
            _ = try await env.polarWebhook(F.polar("subscription.canceled", at: t + 1, F.polarSubscription("psub_1", email: "sub@example.com", status: "active", periodEnd: end, cancelAtPeriodEnd: true)), id: "e2")
            _ = try await env.polarWebhook(F.polar("order.paid", at: t, F.polarOrder("ord_2", email: "life@example.com")), id: "e3")
            _ = try await env.polarWebhook(F.polar("order.refunded", at: t + 2, F.polarOrder("ord_2", email: "life@example.com", status: "refunded", refunded: 9900)), id: "e4")
            _ = try await env.polarWebhook(F.polar("order.paid", at: t, F.polarOrder("ord_3", email: "keep@example.com")), id: "e5")
            #expect(try await env.count("licenses") == 3)
            #expect(try await env.count("payments") == 4)

            // 89 days after the period end: the cancelled subscription's license is still kept; the
            // refunded one (revoked on day 0) went on day 90.
            env.clock.advance(by: 30 * Self.day + 89 * Self.day)
            var report = try await Retention.run(env.app)
            #expect(report.count("licenses") == 1)
            #expect(try await env.licenses("life@example.com").isEmpty)
            #expect(try await env.licenses("sub@example.com").count == 1)
            env.clock.advance(by: 2 * Self.day)
            report = try await Retention.run(env.app)
            #expect(report.count("licenses") == 1)
            #expect(try await env.licenses("sub@example.com").isEmpty)
            #expect(try await env.licenses("keep@example.com").count == 1)
            // Every payment record stays, license ids and all; links of deleted licenses go; events
            // older than 90 days go.
            let payments = try await env.payments()
            #expect(payments.count == 4 && payments.filter { $0.kind == "refund" }.count == 1)
            #expect(try await env.count("billing_links") == 1)
            #expect(try await env.count("webhook_events") == 0)

            // After the legal period (2 years here) the records go too.
            env.clock.advance(by: 2 * 366 * Self.day)
            report = try await Retention.run(env.app)
            #expect(report.count("payment records") == 4)
            #expect(try await env.count("payments") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func webhookPayloadsGoAfter30Days(db: TestDatabase) async throws {
        try await withApp(db, settings: { BillingFixtures.configure(&$0) }) { env in
            _ = try await env.polarWebhook(BillingFixtures.polar("order.paid", at: env.clock.now, BillingFixtures.polarOrder("ord_p", email: "p@example.com")), id: "w1")
            let payload = { try await (env.app.db as! any SQLDatabase).raw("SELECT payload FROM webhook_events").first()?.decodeNil(column: "payload") }
            #expect(try await payload() == false)
            env.clock.advance(by: 29 * Self.day)
            try await Retention.run(env.app)
            #expect(try await payload() == false)
            env.clock.advance(by: 2 * Self.day)
            try await Retention.run(env.app)
            #expect(try await payload() == true)
            #expect(try await env.count("webhook_events") == 1)   // the id stays for dedupe
        }
    }

    @Test func settingsDefaultsAndErrors() throws {
        let s = try Settings.load(environment: [:])
        #expect(s.requestLogRetentionDays == 30)
        #expect(s.licenseRetentionDays == 90)
        #expect(s.retentionIntervalSeconds == 86_400)
        #expect(throws: SettingsError.self) { try Settings.load(environment: ["VITRINE_RETENTION_LICENSE_DAYS": "0"]) }
        #expect(try Settings.load(environment: ["VITRINE_RETENTION_INTERVAL_SECONDS": "0"]).retentionIntervalSeconds == 0)
    }

    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var dates: [Date] = []
        @discardableResult func record(_ d: Date) -> Int { lock.withLock { dates.append(d); return dates.count } }
        var values: [Date] { lock.withLock { dates } }
    }
}
