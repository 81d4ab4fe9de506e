import Crypto
import Foundation
import VitrineKit

/// Why a webhook's signature was refused: a short reason for the 400/401 reply.
struct WebhookRejection: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable { case malformed, stale, mismatch }
    var kind: Kind
    var reason: String
    var description: String { reason }
}

/// Verifies webhook signatures on the raw body, before anything parses it (providers.md §5, §6).
/// Both schemes: HMAC-SHA256, any matching `v1` accepted (several during a secret roll), compared in
/// constant time, and a timestamp at most `tolerance` seconds from the injected `now`, either way.
enum WebhookSignature {
    static let tolerance: TimeInterval = 300

    /// The HMAC key of a Standard Webhooks secret: `whsec_<base64>` is the decoded bytes; anything
    /// else is Polar's dashboard secret, which Polar's SDK base64-encodes before verifying, so the
    /// key is the secret's own UTF-8 bytes.
    static func standardWebhooksKey(_ secret: String) -> [UInt8] {
        if secret.hasPrefix("whsec_"), let data = Data(base64Encoded: Settings.padded(String(secret.dropFirst(6)))), !data.isEmpty {
            return Array(data)
        }
        return Array(secret.utf8)
    }

    /// Standard Webhooks (Polar): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`;
    /// signed = `id.timestamp.body`.
    static func verifyStandard(id: String?, timestamp: String?, signature: String?, body: Data, secret: String, now: Date) throws(WebhookRejection) {
        guard let id, !id.isEmpty, let timestamp, let signature else {
            throw WebhookRejection(kind: .malformed, reason: "missing webhook-id, webhook-timestamp or webhook-signature header")
        }
        let t = try checkTimestamp(timestamp, now: now)
        let signed = Array("\(id).\(t).".utf8) + Array(body)
        let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: standardWebhooksKey(secret))))
        var candidates: [[UInt8]] = []
        for part in signature.split(separator: " ") {
            let pieces = part.split(separator: ",", maxSplits: 1)
            guard pieces.count == 2, pieces[0] == "v1", let bytes = Data(base64Encoded: String(pieces[1])) else { continue }
            candidates.append(Array(bytes))
        }
        guard !candidates.isEmpty else { throw WebhookRejection(kind: .malformed, reason: "webhook-signature holds no v1 signature") }
        guard candidates.contains(where: { constantTimeEqual($0, expected) }) else {
            throw WebhookRejection(kind: .mismatch, reason: "no v1 signature matches (wrong secret or altered body)")
        }
    }

    /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…][,v0=…]`; signed = `t.body`, key = the
    /// `whsec_…` secret's UTF-8 bytes; `v0` is ignored.
    static func verifyStripe(header: String?, body: Data, secret: String, now: Date) throws(WebhookRejection) {
        guard let header, !header.isEmpty else { throw WebhookRejection(kind: .malformed, reason: "missing Stripe-Signature header") }
        var timestamp: String?
        var candidates: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = pair[1] }
            if pair[0] == "v1", let bytes = hexBytes(pair[1]) { candidates.append(bytes) }
        }
        guard let timestamp else { throw WebhookRejection(kind: .malformed, reason: "Stripe-Signature has no t=") }
        guard !candidates.isEmpty else { throw WebhookRejection(kind: .malformed, reason: "Stripe-Signature has no v1 signature") }
        let t = try checkTimestamp(timestamp, now: now)
        let signed = Array("\(t).".utf8) + Array(body)
        let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8))))
        guard candidates.contains(where: { constantTimeEqual($0, expected) }) else {
            throw WebhookRejection(kind: .mismatch, reason: "no v1 signature matches (wrong secret or altered body)")
        }
    }

    /// The timestamp as sent (it is part of the signed text) after checking it is near `now`.
    private static func checkTimestamp(_ text: String, now: Date) throws(WebhookRejection) -> String {
        guard let seconds = Int64(text) else { throw WebhookRejection(kind: .malformed, reason: "the timestamp '\(text.prefix(20))' is not whole Unix seconds") }
        let skew = Double(seconds) - now.timeIntervalSince1970
        guard abs(skew) <= tolerance else {
            throw WebhookRejection(kind: .stale, reason: "the timestamp is \(Int(abs(skew))) s \(skew < 0 ? "old" : "in the future"); at most \(Int(tolerance)) s is accepted")
        }
        return text
    }

    /// The `webhook-signature` value for a body (what Polar sends; tests and tools sign with it).
    static func signStandard(id: String, timestamp: Int64, body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).".utf8) + Array(body), using: SymmetricKey(data: standardWebhooksKey(secret)))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `Stripe-Signature` value for a body.
    static func signStripe(timestamp: Int64, body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + Array(body), using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Equal length and bytes, in time that depends only on the length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    static func hexBytes(_ hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0, !chars.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
