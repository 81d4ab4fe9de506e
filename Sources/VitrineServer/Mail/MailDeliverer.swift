import Foundation
import Logging
import VitrineKit

/// A mail ready to hand to a deliverer: the MIME message plus the key providers use to drop duplicates.
public struct OutgoingMail: Sendable {
    public var id: UUID
    public var idempotencyKey: String
    public var message: MailMessage
}

/// Sends one mail, or throws why it could not. One interface, several implementations
/// (dev files now; SMTP and Resend are further deliverers with the same shape).
public struct MailDeliverer: Sendable {
    public var name: String
    public var deliver: @Sendable (OutgoingMail) async throws -> Void

    public init(name: String, deliver: @escaping @Sendable (OutgoingMail) async throws -> Void) {
        self.name = name
        self.deliver = deliver
    }

    /// Writes each mail to `directory/<id>.eml` (write then rename, so a reader never sees half a
    /// file and a retried mail replaces its earlier copy) and logs one line.
    public static func dev(directory: String, logger: Logger) -> MailDeliverer {
        MailDeliverer(name: "dev") { mail in
            let fm = FileManager.default
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let final = (directory as NSString).appendingPathComponent("\(mail.id.uuidString.lowercased()).eml")
            let temporary = final + ".tmp"
            try Data(mail.message.rendered().utf8).write(to: URL(fileURLWithPath: temporary))
            if fm.fileExists(atPath: final) { try fm.removeItem(atPath: final) }
            try fm.moveItem(atPath: temporary, toPath: final)
            logger.notice("mail to \(mail.message.to): \"\(mail.message.subject)\" -> \(final)")
        }
    }

    /// A deliverer that fails the test if anything tries to send with it.
    public static let unimplemented = MailDeliverer(name: "unimplemented") { mail in
        struct Unexpected: Error, CustomStringConvertible { let description: String }
        throw Unexpected(description: "unexpected mail to \(mail.message.to)")
    }
}

/// Why a deliverer could not send. A `permanent` failure (an SMTP 5xx reply, a provider's
/// validation error) is not retried: the mail is marked failed at once. Any other error a
/// deliverer throws (4xx replies, refused connections, timeouts) is transient and retried with backoff.
public struct MailDeliveryError: Error, CustomStringConvertible, Sendable, Equatable {
    public var permanent: Bool
    public var description: String

    public init(permanent: Bool, _ description: String) {
        self.permanent = permanent
        self.description = description
    }

    public static func permanent(_ description: String) -> MailDeliveryError { MailDeliveryError(permanent: true, description) }
    public static func transient(_ description: String) -> MailDeliveryError { MailDeliveryError(permanent: false, description) }
}
