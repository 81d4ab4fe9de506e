import Foundation
import VitrineKit

/// The mails payments send besides the Pro welcome (which is `LicenseMail`, with the key): a receipt
/// per payment and notices when a subscription is past due, cancelled or ended. Plain text and
/// HTML with the same words; no images, no tracking, the only link is the server itself.
enum BillingMail {
    typealias Content = LicenseMail.Content

    static func receipt(amount: Int, currency: String, date: Date, tier: LicenseTier?, provider: String, paymentID: String, publicURL: String) -> Content {
        let what = tier.map(describe) ?? "Vitrine Pro"
        let money = formatted(amount: amount, currency: currency)
        let lines = [
            "Thank you: we received your payment.",
            "",
            "  What      \(what)",
            "  Amount    \(money)",
            "  Date      \(date.iso8601)",
            "  Reference \(provider) \(paymentID)",
            "",
            "Your payment provider (\(provider == "polar" ? "Polar, the merchant of record" : "Stripe")) sends the tax invoice.",
        ]
        return wrap(subject: "Your Vitrine receipt: \(money)", lines: lines, publicURL: publicURL)
    }

    static func notice(_ notice: BillingLifecycle.Notice, tier: LicenseTier?, until: Date?, publicURL: String) -> Content {
        let what = tier.map(describe) ?? "Vitrine Pro"
        let subject: String
        let lines: [String]
        switch notice {
        case .pastDue:
            subject = "Vitrine: your payment did not go through"
            lines = [
                "The last payment for your \(what) did not go through.",
                "Your license stays Pro until \(until?.iso8601 ?? "the end of the period you paid for"); your payment provider will try again.",
                "To keep Pro after that, update your payment method with your payment provider.",
            ]
        case .cancelling:
            subject = "Vitrine: your subscription is cancelled"
            lines = [
                "Your \(what) is cancelled and will not renew.",
                "Your license stays Pro until \(until?.iso8601 ?? "the end of the period you paid for").",
            ]
        case .ended:
            subject = "Vitrine: your Pro license has ended"
            lines = [
                "Your \(what) has ended (cancelled, revoked or refunded), and so has the Pro license that came with it.",
                "Vitrine keeps working with the trial's limits.",
            ]
        }
        return wrap(subject: subject, lines: lines, publicURL: publicURL)
    }

    static func describe(_ tier: LicenseTier) -> String {
        switch tier {
        case .monthly: "Vitrine Pro monthly subscription"
        case .annual: "Vitrine Pro annual subscription"
        case .lifetime: "Vitrine Pro lifetime license"
        case .trial: "Vitrine trial"
        }
    }

    /// `1234 EUR` → `12.34 EUR`; currencies without minor units (JPY, KRW, …) as whole numbers.
    static func formatted(amount: Int, currency: String) -> String {
        let zeroDecimal: Set<String> = ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]
        let code = currency.uppercased()
        if zeroDecimal.contains(code) { return "\(amount) \(code)" }
        let sign = amount < 0 ? "-" : ""
        let a = abs(amount)
        return "\(sign)\(a / 100).\(String(format: "%02d", a % 100)) \(code)"
    }

    private static func wrap(subject: String, lines: [String], publicURL: String) -> Content {
        let footer = "The Vitrine server: \(publicURL)"
        let text = "Hello,\n\n" + lines.joined(separator: "\n") + "\n\n" + footer + "\n"
        var html = "<!doctype html>\n<html><body style=\"font-family: sans-serif; line-height: 1.5\">\n<p>Hello,</p>\n<p>"
        html += lines.map { $0.isEmpty ? "</p><p>" : LicenseMail.escape($0) + "<br>" }.joined(separator: "\n")
        html += "</p>\n<p style=\"color: #555\">The Vitrine server: <a href=\"\(LicenseMail.escape(publicURL))\">\(LicenseMail.escape(publicURL))</a></p>\n</body></html>\n"
        return Content(subject: subject, text: text, html: html)
    }
}
