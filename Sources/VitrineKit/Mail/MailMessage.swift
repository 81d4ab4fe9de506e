import Foundation

/// One email with a plain-text and an HTML body, rendered as a MIME message (RFC 5322 + 2045).
/// Bodies that are plain ASCII with short lines go out as 7bit, so a key in the text stays
/// greppable in an .eml file; anything else is quoted-printable.
public struct MailMessage: Equatable, Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    public var messageID: String
    public var date: Date

    public init(from: String, to: String, subject: String, text: String, html: String, messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The whole message with CRLF line ends.
    public func rendered() -> String {
        let boundary = "vitrine-" + messageID.filter { $0.isLetter || $0.isNumber }
        var lines: [String] = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedHeader(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
        ]
        lines += Self.part(contentType: "text/plain; charset=utf-8", body: text)
        lines.append("--\(boundary)")
        lines += Self.part(contentType: "text/html; charset=utf-8", body: html)
        lines.append("--\(boundary)--")
        lines.append("")
        return lines.joined(separator: "\r\n")
    }

    static func part(contentType: String, body: String) -> [String] {
        let bodyLines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let plain = bodyLines.allSatisfy { line in line.utf8.count <= 998 && line.utf8.allSatisfy { $0 < 128 } && !line.hasPrefix("--vitrine-") }
        if plain {
            return ["Content-Type: \(contentType)", "Content-Transfer-Encoding: 7bit", ""] + bodyLines
        }
        return ["Content-Type: \(contentType)", "Content-Transfer-Encoding: quoted-printable", ""] + quotedPrintable(bodyLines)
    }

    /// Quoted-printable (RFC 2045 §6.7): lines at most 76 characters with soft breaks.
    static func quotedPrintable(_ lines: [String]) -> [String] {
        var out: [String] = []
        for line in lines {
            var current = ""
            let bytes = Array(line.utf8)
            for (i, b) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                var piece: String
                if (b >= 33 && b <= 126 && b != 61) || ((b == 32 || b == 9) && !isLast) {
                    piece = String(UnicodeScalar(b))
                } else {
                    piece = String(format: "=%02X", b)
                }
                if current.utf8.count + piece.utf8.count > 75 {
                    out.append(current + "=")
                    current = ""
                }
                current += piece
            }
            out.append(current)
        }
        return out
    }

    /// RFC 2047 encoded-word for non-ASCII header text.
    static func encodedHeader(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 32 && $0 < 127 }) { return s }
        return "=?utf-8?B?" + Data(s.utf8).base64EncodedString() + "?="
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}
