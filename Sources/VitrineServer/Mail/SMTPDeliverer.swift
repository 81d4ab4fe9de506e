import Foundation
import Logging
import NIOCore
import VitrineKit

extension MailDeliverer {
    /// Sends each mail over SMTP (`VITRINE_MAILER=smtp`): one connection per mail, STARTTLS or
    /// implicit TLS, AUTH PLAIN or LOGIN. 5xx replies fail the mail for good; everything else is retried.
    public static func smtp(_ configuration: SMTPConfiguration, group: any EventLoopGroup, logger: Logger) throws -> MailDeliverer {
        let client = try SMTPClient(configuration: configuration, group: group)
        return MailDeliverer(name: "smtp") { mail in
            let reply = try await client.send(from: mail.message.from, to: mail.message.to, message: mail.message.rendered())
            logger.notice("mail \(mail.id.uuidString.lowercased()) sent via SMTP \(configuration.host): \(reply.code) \(reply.text)")
        }
    }
}
