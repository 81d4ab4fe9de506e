import Fluent

/// Every migration in order. Append only.
enum Migrations {
    static let all: [any Migration] = [
        CreateUser(),
        CreateLicense(),
        CreateOutbox(),
        CreateRequestLog(),
        CreateSession(),
        CreateAPIToken(),
        CreateEmailToken(),
        CreateRateLimit(),
        UpdateOutboxAddUserID(),
        CreateAnalyticsCount(),
        CreatePayment(),
        CreateBillingLink(),
        CreateWebhookEvent(),
    ]
}
