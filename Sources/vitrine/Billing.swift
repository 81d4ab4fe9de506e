import ArgumentParser
import Foundation
import VitrineKit
import VitrineServer

extension Settings.BillingProvider: ExpressibleByArgument {}

extension Vitrine {
    /// `vitrine billing replay EVENT.json --provider polar|stripe`: support tools for payments.
    struct BillingCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "billing",
            abstract: "Payment support tools on the server's database.",
            subcommands: [Replay.self]
        )

        struct Replay: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Re-apply a stored provider event (its envelope JSON) through the webhook's code path.",
                discussion: """
                    No signature is needed: the operator has the file. Idempotent: an event already applied \
                    changes nothing. Stripe events carry their id; a Polar envelope does not, so give the \
                    delivery's webhook-id with --event-id (else the id of a recorded delivery of the same \
                    bytes is used, or one derived from the bytes).
                    """
            )
            @OptionGroup var data: DataOptions
            @Argument(help: "The event's envelope JSON file.") var file: String
            @Option(help: "polar or stripe.") var provider: Settings.BillingProvider
            @Option(help: "The delivery's event id (Polar's webhook-id header); Stripe's is read from the file.") var eventID: String?

            func run() async throws {
                guard let body = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(file)")
                }
                let settings = try data.settings()
                bootstrapLogging(settings)
                do {
                    let result = try await ServerRuntime.withApplication(settings: settings) { app in
                        try await BillingWebhook.replay(app: app, body: body, provider: provider, eventID: eventID)
                    }
                    printOut(result.text)
                } catch let error as BillingWebhook.ReplayError {
                    printError("vitrine billing replay: \(file): \(error.description)")
                    throw ExitCode(1)
                }
            }
        }
    }
}
