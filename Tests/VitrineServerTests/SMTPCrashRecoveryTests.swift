import Fluent
import Foundation
import Testing
import VaporTesting
import VitrineKit
@testable import VitrineServer

/// "Nothing lost if the process dies mid-send", against a real SMTP server: worker 1 claims the
/// mail and dies inside the deliverer (its row stays `sending`); after the lease a second worker
/// takes it over and the SMTP server receives it exactly once — even when worker 1 comes back
/// late and reports a failure, which must not put the mail back in the queue behind worker 2.
@Suite(.enabled(if: SMTPPeer.enabled, "needs python3 with aiosmtpd and openssl"))
struct SMTPCrashRecoveryTests {
    /// Holds deliverer calls 1 and 2 until the test lets them go on (true: send, false: fail).
    final class Gates: @unchecked Sendable {
        private let lock = NSLock()
        private var waiting: [Int: CheckedContinuation<Bool, Never>] = [:]
        private var decided: [Int: Bool] = [:]
        private var calls = 0
        let entered: AsyncStream<Int>
        private let enteredContinuation: AsyncStream<Int>.Continuation

        init() { (entered, enteredContinuation) = AsyncStream<Int>.makeStream() }

        func nextCall() -> Int {
            let n = lock.withLock { calls += 1; return calls }
            enteredContinuation.yield(n)
            return n
        }

        func wait(_ call: Int) async -> Bool {
            await withCheckedContinuation { c in
                let ready: Bool? = lock.withLock {
                    if let d = decided[call] { return d }
                    waiting[call] = c
                    return nil
                }
                if let ready { c.resume(returning: ready) }
            }
        }

        func release(_ call: Int, send: Bool) {
            let c: CheckedContinuation<Bool, Never>? = lock.withLock {
                decided[call] = send
                return waiting.removeValue(forKey: call)
            }
            c?.resume(returning: send)
        }
    }

    @Test(arguments: TestDatabase.all)
    func mailOfADeadWorkerIsSentOnceAfterTheLease(db: TestDatabase) async throws {
        guard SMTPPeer.available else { Issue.record("CI=true but python3 with aiosmtpd or openssl is missing"); return }
        try await SMTPPeer.with(.starttls) { peer in
            let settings: (inout Settings) -> Void = { s in
                SMTPDelivererTests.smtpSettings(peer, .starttls)(&s)
                s.mailLeaseSeconds = 300
                s.mailRetryBaseSeconds = 30
            }
            try await withApp(db, settings: settings) { env in
                let app = env.app
                let smtp = app.vitrine.deliverer
                let gates = Gates()
                app.vitrine.deliverer = MailDeliverer(name: "gated smtp") { mail in
                    let call = gates.nextCall()
                    if call <= 2, await !gates.wait(call) {
                        throw MailDeliveryError.transient("connection reset")
                    }
                    try await smtp.deliver(mail)
                }
                var calls = gates.entered.makeAsyncIterator()
                _ = try await env.post("api/v1/trial", #"{"email": "crash@example.com"}"#)

                // Worker 1 claims the mail and hangs inside the deliverer: the process is gone.
                let worker1 = Task { try await MailDelivery.deliverNext(app) }
                #expect(await calls.next() == 1)
                var row = try #require(try await OutboxMessage.query(on: app.db).first())
                #expect(row.status == "sending")
                #expect(row.attempts == 1)
                #expect(try await MailDelivery.deliverDue(app) == 0)   // leased: nobody else takes it

                // After the lease a new worker takes it over (and is slow, too).
                env.clock.advance(by: 301)
                let worker2 = Task { try await MailDelivery.deliverNext(app) }
                #expect(await calls.next() == 2)
                row = try #require(try await OutboxMessage.query(on: app.db).first())
                #expect(row.status == "sending")
                #expect(row.attempts == 2)

                // Worker 1 comes back with a failure: that must not requeue worker 2's claim.
                gates.release(1, send: false)
                #expect(try await worker1.value == false)
                row = try #require(try await OutboxMessage.query(on: app.db).first())
                #expect(row.status == "sending")
                env.clock.advance(by: 60)   // past worker 1's backoff, within worker 2's lease
                #expect(try await MailDelivery.deliverDue(app) == 0)

                gates.release(2, send: true)
                #expect(try await worker2.value == true)
                row = try #require(try await OutboxMessage.query(on: app.db).first())
                #expect(row.status == "sent")
                #expect(row.attempts == 2)
                #expect(try await MailDelivery.deliverDue(app) == 0)
                let received = peer.messages()
                #expect(received.count == 1)
                #expect((received.first?["rcpt_tos"] as? [String]) == ["crash@example.com"])
            }
        }
    }
}
