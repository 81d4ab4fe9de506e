import Foundation
import Vapor
import VitrineKit

/// What the app's handlers and jobs share besides the database: settings, the clock, the ID
/// generator, the license signer and the mail deliverer. Tests replace `now`, `makeID` and
/// `deliverer` after `configure`.
public struct ServerContext: Sendable {
    public var settings: Settings
    public var now: @Sendable () -> Date
    public var makeID: @Sendable () -> UUID
    public var signer: LicenseSigner
    public var deliverer: MailDeliverer
    let requestLogs: RequestLogBuffer
}

extension Application {
    private struct ServerContextKey: StorageKey { typealias Value = ServerContext }

    /// The Vitrine context `configure` installed.
    public var vitrine: ServerContext {
        get {
            guard let context = storage[ServerContextKey.self] else { fatalError("configure(app, settings) has not run") }
            return context
        }
        set { storage[ServerContextKey.self] = newValue }
    }
}

extension Request {
    var vitrine: ServerContext { application.vitrine }
}
