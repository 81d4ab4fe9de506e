import Foundation
import Testing
@testable import VitrineServer

/// The pure state machine: every transition, ordering and terminal states.
@Suite struct BillingLifecycleTests {
    typealias L = BillingLifecycle
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let end1 = t0.addingTimeInterval(30 * 86_400)
    static let end2 = t0.addingTimeInterval(61 * 86_400)

    static func run(_ events: [(L.Event, TimeInterval)], from start: L.State = L.State()) -> (L.State, [L.Notice], [Bool]) {
        var state = start
        var notices: [L.Notice] = []
        var applied: [Bool] = []
        for (event, at) in events {
            let t = L.apply(event, at: t0.addingTimeInterval(at), to: state)
            state = t.state
            applied.append(t.applied)
            if let n = t.notice { notices.append(n) }
        }
        return (state, notices, applied)
    }

    @Test func lifetimeOrderPaidIsActiveForever() {
        let (state, notices, _) = Self.run([(.orderPaid, 0)])
        #expect(state.status == .active && state.periodEnd == nil && state.entitled && !state.terminal)
        #expect(notices.isEmpty)
    }

    @Test func subscriptionCreatedThenRenewedMovesThePeriodEnd() {
        let (state, notices, _) = Self.run([(.active(periodEnd: Self.end1), 0), (.active(periodEnd: Self.end2), 10)])
        #expect(state.status == .active && state.periodEnd == Self.end2)
        #expect(notices.isEmpty)
    }

    @Test func activeWithoutAPeriodEndKeepsTheKnownOne() {
        let (state, _, _) = Self.run([(.active(periodEnd: Self.end1), 0), (.active(periodEnd: nil), 5)])
        #expect(state.periodEnd == Self.end1)
    }

    @Test func pastDueKeepsProUntilPeriodEndAndNoticesOnce() {
        let (state, notices, _) = Self.run([(.active(periodEnd: Self.end1), 0), (.pastDue(periodEnd: nil), 10), (.pastDue(periodEnd: Self.end1), 11)])
        #expect(state.status == .pastDue && state.entitled && state.periodEnd == Self.end1)
        #expect(notices == [.pastDue])
        // Recovery: the renewal goes through.
        let (recovered, _, _) = Self.run([(.active(periodEnd: Self.end2), 20)], from: state)
        #expect(recovered.status == .active && recovered.periodEnd == Self.end2)
    }

    @Test func pastDueBeforeAnythingWasPaidStaysPending() {
        let (state, notices, _) = Self.run([(.pastDue(periodEnd: Self.end1), 0)])
        #expect(state.status == .pending && !state.entitled && notices.isEmpty)
    }

    @Test func cancelAtPeriodEndKeepsProAndUncancelGoesBack() {
        let (state, notices, _) = Self.run([(.active(periodEnd: Self.end1), 0), (.cancelAtPeriodEnd(periodEnd: Self.end1), 10)])
        #expect(state.status == .cancelling && state.entitled && state.periodEnd == Self.end1)
        #expect(notices == [.cancelling])
        let (back, more, _) = Self.run([(.active(periodEnd: Self.end1), 20)], from: state)
        #expect(back.status == .active && more.isEmpty)
    }

    @Test(arguments: [L.Event.revoked, .refunded])
    func revocationAndRefundEndNowAndAreTerminal(event: L.Event) {
        let (state, notices, applied) = Self.run([(.active(periodEnd: Self.end1), 0), (event, 10), (.active(periodEnd: Self.end2), 20), (.orderPaid, 30)])
        #expect(state.status == .ended && state.terminal && !state.entitled)
        #expect(notices == [.ended])
        #expect(applied == [true, true, false, false])
    }

    @Test func refundAfterCancellationEndsNow() {
        let (state, notices, _) = Self.run([(.active(periodEnd: Self.end1), 0), (.cancelAtPeriodEnd(periodEnd: Self.end1), 10), (.refunded, 20)])
        #expect(state.status == .ended && state.terminal)
        #expect(notices == [.cancelling, .ended])
    }

    @Test func olderEventsAreNotApplied() {
        let (state, _, applied) = Self.run([(.active(periodEnd: Self.end2), 100), (.cancelAtPeriodEnd(periodEnd: Self.end1), 50), (.active(periodEnd: Self.end1), 99)])
        #expect(state.status == .active && state.periodEnd == Self.end2 && state.lastEventAt == Self.t0.addingTimeInterval(100))
        #expect(applied == [true, false, false])
    }

    @Test func anEventAtTheSameSecondApplies() {
        let (state, _, applied) = Self.run([(.active(periodEnd: Self.end1), 100), (.cancelAtPeriodEnd(periodEnd: Self.end1), 100)])
        #expect(state.status == .cancelling)
        #expect(applied == [true, true])
    }

    @Test func refundOfAnUnpaidOrderIsTerminalWithoutNotice() {
        let (state, notices, applied) = Self.run([(.refunded, 0), (.orderPaid, 10)])
        #expect(state.terminal && state.status == .ended && notices.isEmpty)
        #expect(applied == [true, false])
    }
}
