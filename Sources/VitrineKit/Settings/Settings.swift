import Foundation

/// Everything the server reads from its environment, in one typed value with safe defaults.
/// `Settings.load` turns a bad value into an error that names the variable; nothing is read later.
public struct Settings: Sendable, Equatable {
    public enum Database: Sendable, Equatable {
        /// The embedded default: one SQLite file.
        case sqlite(path: String)
        /// `DATABASE_URL=postgres://user:password@host:port/database` (never logged).
        case postgres(url: String)
    }

    public enum Mailer: String, Sendable, Equatable {
        /// Writes each mail to DIR/outbox/*.eml and logs one line.
        case dev
        /// Sends through an SMTP server (`VITRINE_SMTP_*`).
        case smtp
        /// Sends through Resend's HTTP API (`VITRINE_RESEND_API_KEY`).
        case resend
    }

    /// How the SMTP connection is protected.
    public enum SMTPSecurity: String, Sendable, Equatable {
        /// Plain connection upgraded with STARTTLS before anything else (submission, port 587).
        case starttls
        /// TLS from the first byte (port 465).
        case tls
        /// No encryption (a relay on the same host); AUTH is then refused except on loopback.
        case none

        public var defaultPort: Int {
            switch self {
            case .starttls: 587
            case .tls: 465
            case .none: 25
            }
        }
    }

    /// Where the SQLite file, the outbox folder and the license signing key file live.
    public var dataDirectory: String
    public var host: String
    public var port: Int
    public var database: Database
    /// The server's own address for links in mail (`VITRINE_PUBLIC_URL`), no trailing slash.
    public var publicURL: String
    /// `VITRINE_MAIL_FROM`, e.g. `Vitrine <licenses@example.com>`.
    public var mailFrom: String
    public var mailer: Mailer
    /// `VITRINE_LICENSE_SIGNING_KEY`: base64 of the raw 32-byte Ed25519 key; nil → DIR/license-signing.key.
    public var licenseSigningKey: String?
    /// Largest request body accepted (`VITRINE_MAX_BODY_BYTES`); more gets 413.
    public var maxBodyBytes: Int
    /// Run migrations when the server starts (`VITRINE_AUTO_MIGRATE`); on for SQLite, off for PostgreSQL.
    public var autoMigrate: Bool
    /// Run the in-process mail delivery worker (`VITRINE_MAIL_WORKER`, default on).
    public var runsMailWorker: Bool
    /// Deliveries tried before a mail is marked failed (`VITRINE_MAIL_MAX_ATTEMPTS`).
    public var mailMaxAttempts: Int
    /// First retry delay in seconds, doubled per attempt up to an hour (`VITRINE_MAIL_RETRY_SECONDS`).
    public var mailRetryBaseSeconds: Double
    /// A mail left in `sending` this long (the process died mid-send) is tried again (`VITRINE_MAIL_LEASE_SECONDS`).
    public var mailLeaseSeconds: Double
    /// Record each request in request_logs (`VITRINE_REQUEST_LOG`, default on).
    public var logsRequests: Bool
    /// `VITRINE_LOG_LEVEL`: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String
    /// The web app's folder, served at `/` (`VITRINE_WEB_DIR`; default `./Web` when it holds
    /// index.html, as in a source checkout; nil serves the API only).
    public var webDirectory: String?
    /// `VITRINE_SMTP_HOST` (required with `VITRINE_MAILER=smtp`).
    public var smtpHost: String
    /// `VITRINE_SMTP_PORT`; default 587 (starttls), 465 (tls) or 25 (none).
    public var smtpPort: Int
    /// `VITRINE_SMTP_USER` / `VITRINE_SMTP_PASSWORD`: AUTH PLAIN or LOGIN when set (never logged).
    public var smtpUsername: String?
    public var smtpPassword: String?
    /// `VITRINE_SMTP_SECURITY=starttls|tls|none` (default starttls).
    public var smtpSecurity: SMTPSecurity
    /// `VITRINE_SMTP_CA_FILE`: PEM certificates to trust instead of the system's (a private CA).
    public var smtpCAFile: String?
    /// Seconds to wait for the SMTP server to connect or answer one command (`VITRINE_SMTP_TIMEOUT_SECONDS`).
    public var smtpTimeoutSeconds: Double
    /// `VITRINE_RESEND_API_KEY` (required with `VITRINE_MAILER=resend`; never logged).
    public var resendAPIKey: String?
    /// `VITRINE_RESEND_BASE_URL`, default https://api.resend.com (tests point it at a loopback fake).
    public var resendBaseURL: String
    /// Seconds between runs of the in-process retention job (`VITRINE_RETENTION_INTERVAL_SECONDS`,
    /// default a day; 0 turns the in-process job off, e.g. when cron runs `vitrine retention run`).
    public var retentionIntervalSeconds: Double
    /// Request logs older than this many days are deleted (`VITRINE_RETENTION_REQUEST_LOG_DAYS`, default 30).
    public var requestLogRetentionDays: Int
    /// Licenses expired or revoked more than this many days ago are deleted (`VITRINE_RETENTION_LICENSE_DAYS`, default 90).
    public var licenseRetentionDays: Int
    /// Sent or failed outbox mails older than this many days are deleted (`VITRINE_RETENTION_OUTBOX_DAYS`, default 30):
    /// they hold addresses and keys.
    public var outboxRetentionDays: Int

    // Accounts (issue 4, part 2).
    /// bcrypt cost for account passwords (`VITRINE_BCRYPT_COST`, 4...16): 12 in production; tests use 4.
    public var bcryptCost: Int
    /// How long a login session lasts (`VITRINE_SESSION_DAYS`, 1...365; 30 by default).
    public var sessionLifetimeSeconds: Double
    /// Rate limits on login, sign-up, reset/magic-link and trial start (`VITRINE_RATE_LIMIT`, default on).
    public var rateLimitEnabled: Bool
    /// Length of one fixed rate-limit window in seconds (`VITRINE_RATE_LIMIT_WINDOW_SECONDS`, default 900).
    public var rateLimitWindowSeconds: Int
    /// Requests one client address may make per action and window (`VITRINE_RATE_LIMIT_PER_IP`, default 30).
    public var rateLimitPerIP: Int
    /// Requests naming one normalized email per action and window (`VITRINE_RATE_LIMIT_PER_EMAIL`, default 5).
    public var rateLimitPerEmail: Int
    /// Take the client address from the last `X-Forwarded-For` entry (`VITRINE_TRUST_PROXY`, default off):
    /// only behind a reverse proxy of your own that sets it.
    public var trustsProxy: Bool

    // Payments (issue 6).
    /// Which payment provider checkouts go to (`VITRINE_BILLING_PROVIDER=polar|stripe`); nil: payments are off.
    public var billingProvider: BillingProvider?
    /// `VITRINE_POLAR_API_URL`, default https://api.polar.sh (tests point it at a loopback fake).
    public var polarAPIURL: String
    /// `VITRINE_POLAR_ACCESS_TOKEN`: organization access token for creating checkouts (never logged).
    public var polarAccessToken: String?
    /// `VITRINE_POLAR_WEBHOOK_SECRET`: `whsec_<base64>` or Polar's secret string as shown (never logged).
    public var polarWebhookSecret: String?
    /// `VITRINE_POLAR_PRODUCT_MONTHLY|ANNUAL|LIFETIME`: the Polar product id of each Pro tier.
    public var polarProducts: [LicenseTier: String]
    /// `VITRINE_STRIPE_API_URL`, default https://api.stripe.com.
    public var stripeAPIURL: String
    /// `VITRINE_STRIPE_SECRET_KEY` (never logged).
    public var stripeSecretKey: String?
    /// `VITRINE_STRIPE_WEBHOOK_SECRET`: the endpoint's `whsec_…` signing secret (never logged).
    public var stripeWebhookSecret: String?
    /// `VITRINE_STRIPE_PRICE_MONTHLY|ANNUAL|LIFETIME`: the Stripe price id of each Pro tier.
    public var stripePrices: [LicenseTier: String]
    /// Payment records are kept this many years, then deleted (`VITRINE_PAYMENT_RECORD_YEARS`, default 10).
    public var paymentRecordYears: Int
    /// Largest webhook body accepted (`VITRINE_WEBHOOK_MAX_BODY_BYTES`, default 1 MiB); providers' events are bigger than API requests.
    public var webhookMaxBodyBytes: Int

    public enum BillingProvider: String, Sendable, Equatable, CaseIterable {
        case polar, stripe
    }

    public init(dataDirectory: String = "./vitrine-data", host: String = "127.0.0.1", port: Int = 8080) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.database = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("vitrine.sqlite"))
        self.publicURL = "http://\(host):\(port)"
        self.mailFrom = "Vitrine <vitrine@localhost>"
        self.mailer = .dev
        self.licenseSigningKey = nil
        self.maxBodyBytes = 16 * 1024
        self.autoMigrate = true
        self.runsMailWorker = true
        self.mailMaxAttempts = 8
        self.mailRetryBaseSeconds = 30
        self.mailLeaseSeconds = 300
        self.logsRequests = true
        self.logLevel = "info"
        self.smtpHost = ""
        self.smtpPort = SMTPSecurity.starttls.defaultPort
        self.smtpUsername = nil
        self.smtpPassword = nil
        self.smtpSecurity = .starttls
        self.smtpCAFile = nil
        self.smtpTimeoutSeconds = 30
        self.resendAPIKey = nil
        self.resendBaseURL = "https://api.resend.com"
        self.retentionIntervalSeconds = 86_400
        self.requestLogRetentionDays = 30
        self.licenseRetentionDays = 90
        self.outboxRetentionDays = 30
        self.bcryptCost = 12
        self.sessionLifetimeSeconds = 30 * 86_400
        self.rateLimitEnabled = true
        self.rateLimitWindowSeconds = 900
        self.rateLimitPerIP = 30
        self.rateLimitPerEmail = 5
        self.trustsProxy = false
        self.billingProvider = nil
        self.polarAPIURL = "https://api.polar.sh"
        self.polarAccessToken = nil
        self.polarWebhookSecret = nil
        self.polarProducts = [:]
        self.stripeAPIURL = "https://api.stripe.com"
        self.stripeSecretKey = nil
        self.stripeWebhookSecret = nil
        self.stripePrices = [:]
        self.paymentRecordYears = 10
        self.webhookMaxBodyBytes = 1 << 20
        self.webDirectory = Settings.checkoutWebDirectory()
    }

    /// `./Web` as an absolute path when it holds index.html, else nil.
    static func checkoutWebDirectory() -> String? {
        let path = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("Web")
        return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("index.html")) ? path : nil
    }

    /// Settings from `environment` (normally `ProcessInfo.processInfo.environment`) on top of the
    /// command line's data directory, host and port.
    public static func load(
        environment env: [String: String], dataDirectory: String = "./vitrine-data", host: String = "127.0.0.1", port: Int = 8080
    ) throws(SettingsError) -> Settings {
        var s = Settings(dataDirectory: dataDirectory, host: host, port: port)
        guard (1...65535).contains(port) || port == 0 else { throw SettingsError(variable: "--port", problem: "\(port) is not a TCP port") }
        if let url = nonEmpty(env["DATABASE_URL"]) {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), URL(string: url)?.host != nil else {
                throw SettingsError(variable: "DATABASE_URL", problem: "expected postgres://user:password@host:port/database (value not shown)")
            }
            s.database = .postgres(url: url)
            s.autoMigrate = false
        }
        if let v = nonEmpty(env["VITRINE_PUBLIC_URL"]) {
            guard let u = URL(string: v), u.scheme == "http" || u.scheme == "https", u.host != nil, u.query == nil else {
                throw SettingsError(variable: "VITRINE_PUBLIC_URL", problem: "'\(v)' is not an http(s) URL")
            }
            s.publicURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        if let v = nonEmpty(env["VITRINE_MAIL_FROM"]) {
            guard v.contains("@"), !v.contains("\n"), !v.contains("\r") else {
                throw SettingsError(variable: "VITRINE_MAIL_FROM", problem: "'\(v)' is not an address like Vitrine <licenses@example.com>")
            }
            s.mailFrom = v
        }
        if let v = nonEmpty(env["VITRINE_MAILER"]) {
            guard let m = Mailer(rawValue: v) else {
                throw SettingsError(variable: "VITRINE_MAILER", problem: "'\(v)' is not a mailer: dev, smtp or resend")
            }
            s.mailer = m
        }
        if let v = nonEmpty(env["VITRINE_LICENSE_SIGNING_KEY"]) {
            do { _ = try LicenseSigner(base64: v) } catch {
                throw SettingsError(variable: "VITRINE_LICENSE_SIGNING_KEY", problem: "\(error) (value not shown)")
            }
            s.licenseSigningKey = v
        }
        if let v = try int(env, "VITRINE_MAX_BODY_BYTES", in: 256...(16 << 20)) { s.maxBodyBytes = v }
        if let v = try bool(env, "VITRINE_AUTO_MIGRATE") { s.autoMigrate = v }
        if let v = try bool(env, "VITRINE_MAIL_WORKER") { s.runsMailWorker = v }
        if let v = try int(env, "VITRINE_MAIL_MAX_ATTEMPTS", in: 1...100) { s.mailMaxAttempts = v }
        if let v = try double(env, "VITRINE_MAIL_RETRY_SECONDS", in: 0...86_400) { s.mailRetryBaseSeconds = v }
        if let v = try double(env, "VITRINE_MAIL_LEASE_SECONDS", in: 1...86_400) { s.mailLeaseSeconds = v }
        if let v = try bool(env, "VITRINE_REQUEST_LOG") { s.logsRequests = v }
        if let v = nonEmpty(env["VITRINE_LOG_LEVEL"]) {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(v.lowercased()) else {
                throw SettingsError(variable: "VITRINE_LOG_LEVEL", problem: "'\(v)' is not one of \(levels.joined(separator: ", "))")
            }
            s.logLevel = v.lowercased()
        }
        if let v = nonEmpty(env["VITRINE_WEB_DIR"]) {
            let path = (v as NSString).standardizingPath
            let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: (absolute as NSString).appendingPathComponent("index.html")) else {
                throw SettingsError(variable: "VITRINE_WEB_DIR", problem: "'\(v)' has no index.html")
            }
            s.webDirectory = absolute
        }
        try loadMail(env, into: &s)
        try loadRetention(env, into: &s)
        if let v = try int(env, "VITRINE_BCRYPT_COST", in: 4...16) { s.bcryptCost = v }
        if let v = try int(env, "VITRINE_SESSION_DAYS", in: 1...365) { s.sessionLifetimeSeconds = Double(v) * 86_400 }
        if let v = try bool(env, "VITRINE_RATE_LIMIT") { s.rateLimitEnabled = v }
        if let v = try int(env, "VITRINE_RATE_LIMIT_WINDOW_SECONDS", in: 10...86_400) { s.rateLimitWindowSeconds = v }
        if let v = try int(env, "VITRINE_RATE_LIMIT_PER_IP", in: 1...1_000_000) { s.rateLimitPerIP = v }
        if let v = try int(env, "VITRINE_RATE_LIMIT_PER_EMAIL", in: 1...1_000_000) { s.rateLimitPerEmail = v }
        if let v = try bool(env, "VITRINE_TRUST_PROXY") { s.trustsProxy = v }
        try loadBilling(env, into: &s)
        return s
    }

    static func loadBilling(_ env: [String: String], into s: inout Settings) throws(SettingsError) {
        if let v = nonEmpty(env["VITRINE_BILLING_PROVIDER"]) {
            guard let p = BillingProvider(rawValue: v.lowercased()) else {
                throw SettingsError(variable: "VITRINE_BILLING_PROVIDER", problem: "'\(v)' is not a payment provider: polar or stripe")
            }
            s.billingProvider = p
        }
        for (name, keyPath) in [("VITRINE_POLAR_API_URL", \Settings.polarAPIURL), ("VITRINE_STRIPE_API_URL", \Settings.stripeAPIURL)] {
            guard let v = nonEmpty(env[name]) else { continue }
            guard let u = URL(string: v), u.scheme == "http" || u.scheme == "https", u.host != nil, u.query == nil else {
                throw SettingsError(variable: name, problem: "'\(v)' is not an http(s) URL")
            }
            s[keyPath: keyPath] = v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        s.polarAccessToken = nonEmpty(env["VITRINE_POLAR_ACCESS_TOKEN"])
        s.polarWebhookSecret = nonEmpty(env["VITRINE_POLAR_WEBHOOK_SECRET"])
        s.stripeSecretKey = nonEmpty(env["VITRINE_STRIPE_SECRET_KEY"])
        s.stripeWebhookSecret = nonEmpty(env["VITRINE_STRIPE_WEBHOOK_SECRET"])
        if let secret = s.polarWebhookSecret, secret.hasPrefix("whsec_"),
           Data(base64Encoded: Self.padded(String(secret.dropFirst(6)))).map({ $0.isEmpty }) ?? true {
            throw SettingsError(variable: "VITRINE_POLAR_WEBHOOK_SECRET", problem: "starts with whsec_ but the rest is not base64 (value not shown)")
        }
        for tier in [LicenseTier.monthly, .annual, .lifetime] {
            if let v = nonEmpty(env["VITRINE_POLAR_PRODUCT_\(tier.rawValue.uppercased())"]) { s.polarProducts[tier] = v }
            if let v = nonEmpty(env["VITRINE_STRIPE_PRICE_\(tier.rawValue.uppercased())"]) { s.stripePrices[tier] = v }
        }
        if let v = try int(env, "VITRINE_PAYMENT_RECORD_YEARS", in: 1...100) { s.paymentRecordYears = v }
        if let v = try int(env, "VITRINE_WEBHOOK_MAX_BODY_BYTES", in: 1024...(64 << 20)) { s.webhookMaxBodyBytes = v }
        switch s.billingProvider {
        case nil: break
        case .polar:
            if s.polarAccessToken == nil { throw SettingsError(variable: "VITRINE_POLAR_ACCESS_TOKEN", problem: "required with VITRINE_BILLING_PROVIDER=polar") }
            if s.polarProducts.isEmpty { throw SettingsError(variable: "VITRINE_POLAR_PRODUCT_MONTHLY", problem: "VITRINE_BILLING_PROVIDER=polar needs at least one VITRINE_POLAR_PRODUCT_* id") }
        case .stripe:
            if s.stripeSecretKey == nil { throw SettingsError(variable: "VITRINE_STRIPE_SECRET_KEY", problem: "required with VITRINE_BILLING_PROVIDER=stripe") }
            if s.stripePrices.isEmpty { throw SettingsError(variable: "VITRINE_STRIPE_PRICE_MONTHLY", problem: "VITRINE_BILLING_PROVIDER=stripe needs at least one VITRINE_STRIPE_PRICE_* id") }
        }
    }

    /// Base64 text with its `=` padding restored (Standard Webhooks secrets are often unpadded).
    public static func padded(_ base64: String) -> String {
        let rest = base64.count % 4
        return rest == 0 ? base64 : base64 + String(repeating: "=", count: 4 - rest)
    }

    static func loadMail(_ env: [String: String], into s: inout Settings) throws(SettingsError) {
        if let v = nonEmpty(env["VITRINE_SMTP_SECURITY"]) {
            guard let security = SMTPSecurity(rawValue: v.lowercased()) else {
                throw SettingsError(variable: "VITRINE_SMTP_SECURITY", problem: "'\(v)' is not starttls, tls or none")
            }
            s.smtpSecurity = security
        }
        s.smtpPort = s.smtpSecurity.defaultPort
        if let v = nonEmpty(env["VITRINE_SMTP_HOST"]) {
            guard !v.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw SettingsError(variable: "VITRINE_SMTP_HOST", problem: "'\(v)' is not a host name")
            }
            s.smtpHost = v
        }
        if let v = try int(env, "VITRINE_SMTP_PORT", in: 1...65535) { s.smtpPort = v }
        s.smtpUsername = nonEmpty(env["VITRINE_SMTP_USER"])
        s.smtpPassword = env["VITRINE_SMTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if (s.smtpUsername == nil) != (s.smtpPassword == nil) {
            throw SettingsError(variable: s.smtpUsername == nil ? "VITRINE_SMTP_USER" : "VITRINE_SMTP_PASSWORD",
                                problem: "VITRINE_SMTP_USER and VITRINE_SMTP_PASSWORD go together; only one is set")
        }
        if let v = nonEmpty(env["VITRINE_SMTP_CA_FILE"]) {
            guard FileManager.default.isReadableFile(atPath: v) else {
                throw SettingsError(variable: "VITRINE_SMTP_CA_FILE", problem: "'\(v)' is not a readable file")
            }
            s.smtpCAFile = v
        }
        if let v = try double(env, "VITRINE_SMTP_TIMEOUT_SECONDS", in: 1...600) { s.smtpTimeoutSeconds = v }
        s.resendAPIKey = nonEmpty(env["VITRINE_RESEND_API_KEY"])
        if let v = nonEmpty(env["VITRINE_RESEND_BASE_URL"]) {
            guard let u = URL(string: v), u.scheme == "http" || u.scheme == "https", u.host != nil, u.query == nil else {
                throw SettingsError(variable: "VITRINE_RESEND_BASE_URL", problem: "'\(v)' is not an http(s) URL")
            }
            s.resendBaseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        }
        switch s.mailer {
        case .dev: break
        case .smtp:
            if s.smtpHost.isEmpty { throw SettingsError(variable: "VITRINE_SMTP_HOST", problem: "required with VITRINE_MAILER=smtp") }
        case .resend:
            if s.resendAPIKey == nil { throw SettingsError(variable: "VITRINE_RESEND_API_KEY", problem: "required with VITRINE_MAILER=resend") }
        }
    }

    static func loadRetention(_ env: [String: String], into s: inout Settings) throws(SettingsError) {
        if let v = try double(env, "VITRINE_RETENTION_INTERVAL_SECONDS", in: 0...(366 * 86_400)) { s.retentionIntervalSeconds = v }
        if let v = try int(env, "VITRINE_RETENTION_REQUEST_LOG_DAYS", in: 1...3650) { s.requestLogRetentionDays = v }
        if let v = try int(env, "VITRINE_RETENTION_LICENSE_DAYS", in: 1...3650) { s.licenseRetentionDays = v }
        if let v = try int(env, "VITRINE_RETENTION_OUTBOX_DAYS", in: 1...3650) { s.outboxRetentionDays = v }
    }

    static func nonEmpty(_ v: String?) -> String? {
        guard let v = v?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }

    static func int(_ env: [String: String], _ name: String, in range: ClosedRange<Int>) throws(SettingsError) -> Int? {
        guard let v = nonEmpty(env[name]) else { return nil }
        guard let n = Int(v), range.contains(n) else { throw SettingsError(variable: name, problem: "'\(v)' is not a whole number in \(range.lowerBound)...\(range.upperBound)") }
        return n
    }

    static func double(_ env: [String: String], _ name: String, in range: ClosedRange<Double>) throws(SettingsError) -> Double? {
        guard let v = nonEmpty(env[name]) else { return nil }
        guard let n = Double(v), range.contains(n) else { throw SettingsError(variable: name, problem: "'\(v)' is not a number in \(range.lowerBound)...\(range.upperBound)") }
        return n
    }

    static func bool(_ env: [String: String], _ name: String) throws(SettingsError) -> Bool? {
        guard let v = nonEmpty(env[name])?.lowercased() else { return nil }
        switch v {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw SettingsError(variable: name, problem: "'\(v)' is not true or false")
        }
    }
}

/// A setting that could not be used, naming the variable.
public struct SettingsError: Error, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String
    public var description: String { "\(variable): \(problem)" }
}
