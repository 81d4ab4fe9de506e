import Fluent
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// What a mail may contain: a text part, no remote images or tracking pixels, no remote CSS, and
/// links only to the server's own public URL (no redirect or click-tracking host). Checked on
/// every template for every variant, and on every mail the server actually queued in the flows
/// that send mail. New templates: add them to `templates` below.
@Suite struct MailPrivacyTests {
    static let publicURL = "https://vitrine.example.org"

    /// Every mail template the server has, in every variant.
    static func templates() -> [(name: String, text: String, html: String)] {
        var out: [(String, String, String)] = []
        let key = "VTR-ABCDE-FGHJK-MNPQR"
        for tier in LicenseTier.allCases {
            for expiry in [nil, Date(timeIntervalSince1970: 1_800_000_000)] {
                let m = LicenseMail.make(key: key, tier: tier, expiresAt: expiry, publicURL: publicURL)
                out.append(("license mail \(tier.rawValue) expiry \(expiry == nil ? "none" : "set")", m.text, m.html))
            }
        }
        // Payments (issue 6): receipts and subscription notices.
        for tier in [LicenseTier.monthly, .annual, .lifetime] {
            for (amount, currency) in [(990, "EUR"), (1200, "JPY")] {
                let m = BillingMail.receipt(amount: amount, currency: currency, date: Date(timeIntervalSince1970: 1_800_000_000), tier: tier,
                                            provider: "stripe", paymentID: "pi_123", publicURL: publicURL)
                out.append(("receipt \(tier.rawValue) \(currency)", m.text, m.html))
            }
        }
        for notice in [BillingLifecycle.Notice.pastDue, .cancelling, .ended] {
            for until in [nil, Date(timeIntervalSince1970: 1_800_000_000)] {
                let m = BillingMail.notice(notice, tier: .monthly, until: until, publicURL: publicURL)
                out.append(("notice \(notice.rawValue) until \(until == nil ? "none" : "set")", m.text, m.html))
            }
        }
        return out
    }

    /// What is wrong with a mail, one line per problem; empty when it is clean.
    static func violations(text: String, html: String, publicURL: String) -> [String] {
        var problems: [String] = []
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("no text part") }
        let lower = html.lowercased()
        for img in lower.matches(of: /<img\b[^>]*>/) {
            problems.append("image (remote images and tracking pixels are not allowed): \(img.output)")
        }
        for tag in ["<link", "<script", "<iframe", "<object", "<embed", "<video", "<audio", "<source", "<form", "<meta http-equiv"] where lower.contains(tag) {
            problems.append("\(tag)> element")
        }
        if lower.contains("@import") { problems.append("@import in CSS") }
        if lower.contains("url(") { problems.append("url() in CSS (remote background or font)") }
        for attribute in lower.matches(of: /\b(src|background|srcset|poster|action)\s*=/) {
            problems.append("\(attribute.output) attribute")
        }
        // Every link and every address in either part points at the server itself.
        let own = publicURL.lowercased()
        for link in (text + "\n" + html).matches(of: /(?i)(?:https?:)?\/\/[^\s"'<>)]+/) {
            let url = String(link.output).lowercased()
            let isOwn = url == own || url.hasPrefix(own + "/") || url.hasPrefix(own + "?") || url.hasPrefix(own + "#")
            if !isOwn { problems.append("link to somewhere else than \(publicURL): \(link.output)") }
        }
        for href in html.matches(of: /(?i)href\s*=\s*["']?([^"'\s>]+)/) {
            let target = String(href.output.1).replacingOccurrences(of: "&amp;", with: "&").lowercased()
            if !(target == own || target.hasPrefix(own + "/") || target.hasPrefix("mailto:")) {
                problems.append("href not to \(publicURL): \(href.output.1)")
            }
        }
        if lower.contains("utm_") { problems.append("tracking parameters (utm_)") }
        return problems
    }

    /// A Polar subscription through past due, cancellation and revocation, and a paid order: every billing mail queued.
    static func queueBillingMails(_ env: TestEnv) async throws {
        let t = env.clock.now, end = t + 30 * 86_400
        let sub = { (status: String, cancel: Bool) in BillingFixtures.polarSubscription("psub_m", email: "pay@example.com", status: status, periodEnd: end, cancelAtPeriodEnd: cancel) }
        _ = try await env.polarWebhook(BillingFixtures.polar("order.paid", at: t, BillingFixtures.polarOrder("ord_m", email: "pay@example.com", product: "prod_monthly", subscription: "psub_m", amount: 500, periodEnd: end)), id: "p1")
        _ = try await env.polarWebhook(BillingFixtures.polar("subscription.past_due", at: t + 1, sub("past_due", false)), id: "p2")
        _ = try await env.polarWebhook(BillingFixtures.polar("subscription.canceled", at: t + 2, sub("active", true)), id: "p3")
        _ = try await env.polarWebhook(BillingFixtures.polar("subscription.revoked", at: t + 3, sub("canceled", false)), id: "p4")
    }

    @Test func everyTemplateIsClean() {
        for template in Self.templates() {
            let problems = Self.violations(text: template.text, html: template.html, publicURL: Self.publicURL)
            #expect(problems.isEmpty, "\(template.name): \(problems)")
        }
    }

    /// The checker itself catches what it is there for.
    @Test func checkerCatchesPixelsRemoteCSSAndRedirects() {
        let url = Self.publicURL
        #expect(!Self.violations(text: "x", html: #"<img src="https://t.example.com/p.gif" width="1" height="1">"#, publicURL: url).isEmpty)
        #expect(!Self.violations(text: "x", html: #"<link rel="stylesheet" href="https://cdn.example.com/a.css">"#, publicURL: url).isEmpty)
        #expect(!Self.violations(text: "x", html: #"<div style="background: url(https://x.example.com/a.png)">"#, publicURL: url).isEmpty)
        #expect(!Self.violations(text: "x", html: #"<a href="https://click.example.com/?u=https://vitrine.example.org">"#, publicURL: url).isEmpty)
        #expect(!Self.violations(text: "see https://vitrine.example.org.evil.com/", html: "<p>x</p>", publicURL: url).isEmpty)
        #expect(!Self.violations(text: "", html: "<p>x</p>", publicURL: url).isEmpty)
        #expect(Self.violations(text: "see https://vitrine.example.org/account", html: #"<a href="https://vitrine.example.org">x</a>"#, publicURL: url).isEmpty)
    }

    /// Every mail the flows that send mail queued, exactly as it goes out (rendered MIME).
    @Test(arguments: TestDatabase.all)
    func everyQueuedMailIsClean(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.publicURL = Self.publicURL; BillingFixtures.configure(&$0) }) { env in
            _ = try await env.post("api/v1/trial", #"{"email": "look@example.com"}"#)
            for tier in LicenseTier.allCases where tier != .trial {
                _ = try await LicenseAdmin.issue(app: env.app, email: "\(tier.rawValue)@example.com", tier: tier, sendMail: true)
            }
            let rows = try await OutboxMessage.query(on: env.app.db).all()
            #expect(rows.count == LicenseTier.allCases.count)
            try await Self.queueBillingMails(env)
            let billing = try await OutboxMessage.query(on: env.app.db).filter(\.$kind ~~ ["billing_receipt", "billing_past_due", "billing_cancelling", "billing_ended"]).all()
            #expect(Set(billing.map(\.kind)) == ["billing_receipt", "billing_past_due", "billing_cancelling", "billing_ended"])
            let all = try await OutboxMessage.query(on: env.app.db).all()
            for row in all {
                let problems = Self.violations(text: row.textBody, html: row.htmlBody, publicURL: Self.publicURL)
                #expect(problems.isEmpty, "\(row.kind) to \(row.recipient): \(problems)")
            }
            for row in rows {
                let problems = Self.violations(text: row.textBody, html: row.htmlBody, publicURL: Self.publicURL)
                #expect(problems.isEmpty, "\(row.kind) to \(row.recipient): \(problems)")
            }
            let files = try await env.deliverMail()
            #expect(files.count == all.count)
            for file in files {
                #expect(file.contains("Content-Type: text/plain; charset=utf-8"))
                #expect(!file.lowercased().contains("<img"))
            }
        }
    }
}
