import Foundation

/// The life of one paid thing — a subscription or a one-time (lifetime) order — as a pure state
/// machine: provider events, already mapped to `BillingEvent`, move a `BillingState`; the caller
/// persists the new state and applies what the license should become. No clock, no database.
///
/// Decisions (README "Payments"):
/// - past due: Pro stays until the end of the period already paid for; the buyer is mailed.
///   The provider's own retries end in a renewal (expiry moves on) or a revocation (ends now).
/// - cancelled at period end: Pro until then, mailed; uncancelled goes back to active.
/// - revoked / deleted and refunds end Pro now and are terminal: nothing later revives the
///   subscription or order (a new purchase is a new subscription).
/// - ordering: an event older than the last applied one (provider timestamps) changes nothing.
enum BillingLifecycle {
    enum Status: String, Sendable, Equatable {
        /// Known (e.g. a subscription event came first) but not paid yet.
        case pending
        case active
        case pastDue = "past_due"
        /// Cancelled at period end: still Pro until `periodEnd`.
        case cancelling
        /// Revoked, deleted or refunded: Pro ended at `endedAt`.
        case ended
    }

    struct State: Sendable, Equatable {
        var status: Status = .pending
        /// End of the period paid for; nil for a lifetime order (or not known yet).
        var periodEnd: Date?
        /// Provider timestamp of the last applied event.
        var lastEventAt: Date?
        /// A refund or revocation happened: nothing changes the state any more.
        var terminal: Bool = false

        /// Whether the buyer should have Pro now (given the state alone).
        var entitled: Bool { [.active, .pastDue, .cancelling].contains(status) }
    }

    enum Event: Sendable, Equatable {
        /// A one-time (lifetime) order was paid.
        case orderPaid
        /// The subscription is active (created, updated, renewed) until `periodEnd`.
        case active(periodEnd: Date?)
        /// A payment failed or the subscription is past due / unpaid / paused.
        case pastDue(periodEnd: Date?)
        /// The buyer cancelled; access lasts until `periodEnd`.
        case cancelAtPeriodEnd(periodEnd: Date?)
        /// The subscription or order was revoked / deleted: access ends now.
        case revoked
        /// The money went back: access ends now.
        case refunded
    }

    /// Mail the buyer gets because of a transition.
    enum Notice: String, Sendable, Equatable {
        case pastDue = "past_due"
        case cancelling
        case ended
    }

    struct Transition: Sendable, Equatable {
        var state: State
        /// False when the event was older than the last applied one, or came after a terminal event.
        var applied: Bool
        var notice: Notice?
    }

    static func apply(_ event: Event, at time: Date, to old: State) -> Transition {
        if old.terminal { return Transition(state: old, applied: false, notice: nil) }
        if let last = old.lastEventAt, time < last { return Transition(state: old, applied: false, notice: nil) }
        var new = old
        new.lastEventAt = time
        var notice: Notice?
        switch event {
        case .orderPaid:
            new.status = .active
            new.periodEnd = nil
        case .active(let end):
            new.status = .active
            new.periodEnd = end ?? old.periodEnd
        case .pastDue(let end):
            new.status = old.status == .pending ? .pending : .pastDue
            new.periodEnd = end ?? old.periodEnd
            if old.status != .pastDue && new.status == .pastDue { notice = .pastDue }
        case .cancelAtPeriodEnd(let end):
            new.status = .cancelling
            new.periodEnd = end ?? old.periodEnd
            if old.status != .cancelling { notice = .cancelling }
        case .revoked, .refunded:
            new.status = .ended
            new.terminal = true
            if old.status != .ended && old.status != .pending { notice = .ended }
        }
        return Transition(state: new, applied: true, notice: notice)
    }
}
