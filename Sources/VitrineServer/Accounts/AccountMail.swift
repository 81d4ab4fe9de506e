import Fluent
import Foundation
import SQLKit
import VitrineKit

/// The mails of the account flows: plain text and HTML with the same words, no images, no
/// tracking, and links that point straight at the server's own address.
enum AccountMail {
    enum Kind: String {
        case verifyEmail = "verify_email"
        case signupExists = "signup_existing_account"
        case resetPassword = "reset_password"
        case magicLink = "magic_link"
        case confirmNewEmail = "confirm_new_email"
        case emailChangeNotice = "email_change_notice"
    }

    struct Content {
        var subject: String
        var paragraphs: [String]
        var link: (label: String, url: String)?
        var footer: String

        var text: String {
            var parts = ["Hello,"] + paragraphs
            if let link { parts.append("\(link.label):\n\(link.url)") }
            parts.append(footer)
            return parts.joined(separator: "\n\n")
        }

        var html: String {
            var body = "<p>Hello,</p>\n" + paragraphs.map { "<p>\(LicenseMail.escape($0))</p>" }.joined(separator: "\n")
            if let link {
                body += "\n<p>\(LicenseMail.escape(link.label)):<br><a href=\"\(LicenseMail.escape(link.url))\">\(LicenseMail.escape(link.url))</a></p>"
            }
            body += "\n<p style=\"color: #555\">\(LicenseMail.escape(footer))</p>"
            return """
                <!doctype html>
                <html><body style="font-family: sans-serif; line-height: 1.5">
                \(body)
                </body></html>
                """
        }
    }

    static func make(_ kind: Kind, publicURL: String, token: String? = nil, newEmail: String? = nil) -> Content {
        let footer = "This mail was sent by the Vitrine server at \(publicURL) because this address was entered there. If that was not you, you can ignore it."
        let link: (String) -> String = { path in "\(publicURL)\(path)?token=\(token ?? "")" }
        switch kind {
        case .verifyEmail:
            return Content(
                subject: "Confirm your Vitrine account",
                paragraphs: ["Please confirm that this address belongs to your new Vitrine account. The link works once, for 24 hours."],
                link: ("Confirm your address", link("/account/verify")), footer: footer)
        case .signupExists:
            return Content(
                subject: "Someone tried to sign up to Vitrine with your address",
                paragraphs: [
                    "Someone tried to create a Vitrine account with this address, which already has an account. No new account was made and nothing was changed.",
                    "If it was you, log in instead, or ask for a password reset at \(publicURL) if you forgot your password.",
                ],
                link: nil, footer: footer)
        case .resetPassword:
            return Content(
                subject: "Reset your Vitrine password",
                paragraphs: ["Someone asked to reset the password of the Vitrine account of this address. The link works once, for one hour; setting a new password logs out every session and revokes every API token."],
                link: ("Choose a new password", link("/account/reset")), footer: footer)
        case .magicLink:
            return Content(
                subject: "Your Vitrine login link",
                paragraphs: ["Here is the login link you asked for. It works once, for one hour."],
                link: ("Log in to Vitrine", link("/account/magic")), footer: footer)
        case .confirmNewEmail:
            return Content(
                subject: "Confirm your new Vitrine address",
                paragraphs: ["Please confirm that this address should become the address of your Vitrine account. The link works once, for 24 hours; until then the old address stays in use."],
                link: ("Confirm the new address", link("/account/email")), footer: footer)
        case .emailChangeNotice:
            return Content(
                subject: "Your Vitrine address is being changed",
                paragraphs: [
                    "Someone logged in to your Vitrine account asked to change its address to \(newEmail ?? "another address"). The change happens when the new address is confirmed.",
                    "If that was not you, reset your password at \(publicURL) now: that logs out every session and revokes every API token.",
                ],
                link: nil, footer: footer)
        }
    }

    /// Queues a mail for `userID` in the outbox (sent by the delivery worker), in the caller's transaction.
    static func enqueue(
        _ kind: Kind, to recipient: String, userID: UUID, token: String? = nil, newEmail: String? = nil,
        context: ServerContext, on database: any Database
    ) async throws {
        let content = make(kind, publicURL: context.settings.publicURL, token: token, newEmail: newEmail)
        let now = context.now()
        let row = OutboxMessage()
        let id = context.makeID()
        row.id = id
        row.kind = kind.rawValue
        row.recipient = recipient
        row.subject = content.subject
        row.textBody = content.text
        row.htmlBody = content.html
        row.idempotencyKey = "account-mail/\(id.uuidString.lowercased())"
        row.status = OutboxMessage.Status.queued.rawValue
        row.attempts = 0
        row.nextAttemptAt = now
        row.createdAt = now
        try await row.create(on: database)
        let sql = database as! any SQLDatabase
        try await sql.raw("UPDATE outbox SET user_id = \(bind: userID) WHERE id = \(bind: id)").run()
    }
}
