import Fluent
import Foundation
import Vapor
import VitrineKit

/// Sends due outbox rows through the app's deliverer, with retries and exponential backoff.
public enum MailDelivery {
    /// Claims and sends due mails until none is due; returns how many were sent.
    @discardableResult
    public static func deliverDue(_ app: Application) async throws -> Int {
        var sent = 0
        while let outcome = try await deliverNext(app) {
            if outcome { sent += 1 }
        }
        return sent
    }

    /// Claims and tries one due mail: true sent, false failed (queued again or given up), nil none due.
    public static func deliverNext(_ app: Application) async throws -> Bool? {
        let context = app.vitrine
        let settings = context.settings
        let now = context.now()
        guard let claim = try await OutboxMessage.claimNext(
            now: now, leaseUntil: now.addingTimeInterval(settings.mailLeaseSeconds), on: app.db
        ) else { return nil }
        let message = MailMessage(
            from: settings.mailFrom, to: claim.recipient, subject: claim.subject,
            text: claim.textBody, html: claim.htmlBody,
            messageID: "\(claim.id.uuidString.lowercased())@vitrine", date: claim.createdAt
        )
        do {
            try await context.deliverer.deliver(OutgoingMail(id: claim.id, idempotencyKey: claim.idempotencyKey, message: message))
            try await OutboxMessage.markSent(id: claim.id, attempt: claim.attempts, now: context.now(), on: app.db)
            return true
        } catch {
            let permanent = (error as? MailDeliveryError)?.permanent == true
            let retryAt = !permanent && claim.attempts < settings.mailMaxAttempts
                ? context.now().addingTimeInterval(backoff(attempt: claim.attempts, base: settings.mailRetryBaseSeconds))
                : nil
            app.logger.warning("mail \(claim.id) attempt \(claim.attempts) failed: \(error)\(permanent ? "; permanent, giving up" : retryAt == nil ? "; giving up" : "; will retry")")
            try await OutboxMessage.markFailed(id: claim.id, attempt: claim.attempts, error: "\(error)", retryAt: retryAt, on: app.db)
            return false
        }
    }

    /// Seconds before attempt `attempt + 1`: base, 2·base, 4·base … at most an hour.
    static func backoff(attempt: Int, base: Double) -> Double {
        min(3600, base * pow(2, Double(max(0, attempt - 1))))
    }
}

/// Runs delivery (and request-log flushing) in the background while the app runs.
final class BackgroundJobs: LifecycleHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private let interval: Duration

    init(interval: Duration = .seconds(1)) { self.interval = interval }

    func didBootAsync(_ app: Application) async throws {
        let interval = self.interval
        let t = Task {
            while !Task.isCancelled {
                if app.vitrine.settings.runsMailWorker {
                    do { try await MailDelivery.deliverDue(app) } catch { app.logger.warning("mail delivery: \(error)") }
                }
                await RequestLogBuffer.flush(app)
                try? await Task.sleep(for: interval)
            }
        }
        lock.withLock { task = t }
    }

    func shutdownAsync(_ app: Application) async {
        let t = lock.withLock { task }
        t?.cancel()
        await t?.value
        await RequestLogBuffer.flush(app)
    }
}
