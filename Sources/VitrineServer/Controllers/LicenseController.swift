import Foundation
import Vapor
import VitrineKit

/// `/api/v1` trial and license endpoints: parse, call the service, render.
enum LicenseController {
    static func register(_ api: any RoutesBuilder) {
        api.onLoop(.POST, "trial", use: startTrial)
        api.onLoop(.POST, "license", "validate", use: validate)
        api.onLoop(.POST, "license", "generations", use: countGeneration)
        api.onLoop(.GET, "license", "public-key", use: publicKey)
    }

    struct TrialBody: Decodable { var email: String }
    struct KeyBody: Decodable { var key: String }

    /// Always the same 202 for a valid address, whether or not it already had a trial.
    static func startTrial(_ req: Request) async throws -> Response {
        let body = try StrictJSON.decode(TrialBody.self, fields: ["email"], from: req)
        let email: EmailAddress
        do { email = try EmailAddress(body.email) } catch {
            throw APIError.badRequest("invalid_email", error.description)
        }
        try await LicenseService(request: req).startTrial(email: email)
        return .json(.accepted, .object([
            ("status", .string("accepted")),
            ("message", .string("If this address can start a trial, its license key is on its way by email.")),
        ]))
    }

    static func validate(_ req: Request) async throws -> Response {
        let body = try StrictJSON.decode(KeyBody.self, fields: ["key"], from: req)
        let license = try await LicenseService(request: req).state(forKey: body.key)
        let status = license.effectiveStatus(at: req.vitrine.now())
        return .json(.ok, .object([
            ("valid", .bool(status == "active")),
            ("tier", .string(license.tier)),
            ("status", .string(status)),
            ("expires_at", license.expiresAt.map { .string($0.iso8601) } ?? .null),
            ("generations_used", .int(license.generationsUsed)),
            ("generations_left", license.generationsLeft.map { .int($0) } ?? .null),
        ]))
    }

    static func countGeneration(_ req: Request) async throws -> Response {
        let body = try StrictJSON.decode(KeyBody.self, fields: ["key"], from: req)
        let outcome = try await LicenseService(request: req).countGeneration(key: body.key)
        var fields: [(String, JSON)] = [
            ("allowed", .bool(outcome.allowed)),
            ("mark", .bool(outcome.mark)),
            ("generations_left", outcome.generationsLeft.map { .int($0) } ?? .null),
        ]
        if let reason = outcome.reason { fields.append(("reason", .string(reason))) }
        return .json(.ok, .object(fields))
    }

    static func publicKey(_ req: Request) async throws -> Response {
        let verifier = req.vitrine.signer.verifier
        return .json(.ok, .object([
            ("algorithm", .string("Ed25519")),
            ("public_key", .string(verifier.publicKeyBase64)),
            ("key_id", .string(verifier.keyIDHex)),
            ("key_prefix", .string(LicenseKey.prefix)),
        ]))
    }
}

enum HealthController {
    static func register(_ routes: any RoutesBuilder) {
        routes.onLoop(.GET, "healthz", use: health)
    }

    /// 200 when the database answers.
    static func health(_ req: Request) async throws -> Response {
        do {
            _ = try await License.query(on: req.db).limit(1).count()
        } catch {
            req.logger.error("health check: database: \(error)")
            return .json(.serviceUnavailable, .object([("status", .string("unavailable")), ("database", .string("unreachable"))]))
        }
        return .json(.ok, .object([("status", .string("ok"))]))
    }
}
