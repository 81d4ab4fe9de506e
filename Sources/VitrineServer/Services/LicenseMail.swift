import Foundation
import VitrineKit

/// The words of the mails that carry a license key: plain text and HTML with the same content,
/// no images, no tracking, and links that point straight at the server itself.
enum LicenseMail {
    struct Content {
        var subject: String
        var text: String
        var html: String
    }

    static func make(key: String, tier: LicenseTier, expiresAt: Date?, publicURL: String) -> Content {
        let isTrial = tier == .trial
        let subject = isTrial ? "Your Vitrine trial key" : "Your Vitrine license key"
        let terms: String
        switch tier {
        case .trial: terms = "It allows \(tier.generationLimit ?? 0) case generations; their output carries a small trial mark."
        case .lifetime: terms = "It is a lifetime license: unlimited generations, no mark, no expiry."
        case .monthly, .annual:
            terms = "It is a \(tier.rawValue) license: unlimited generations without a mark until \(expiresAt.map { $0.iso8601 } ?? "it is revoked")."
        }
        let text = """
            Hello,

            here is your Vitrine \(isTrial ? "trial " : "")license key:

            \(key)

            \(terms)
            Enter the key in Vitrine (upper or lower case, dashes optional).
            The server that issued it: \(publicURL)

            You get this mail because this address was entered at the Vitrine server
            \(publicURL)
            If that was not you, ignore it: nothing more will be sent.
            """
        let html = """
            <!doctype html>
            <html><body style="font-family: sans-serif; line-height: 1.5">
            <p>Hello,</p>
            <p>here is your Vitrine \(isTrial ? "trial " : "")license key:</p>
            <p style="font-family: monospace; font-size: 1.1em; word-break: break-all">\(escape(key))</p>
            <p>\(escape(terms))<br>Enter the key in Vitrine (upper or lower case, dashes optional).<br>
            The server that issued it: <a href="\(escape(publicURL))">\(escape(publicURL))</a></p>
            <p style="color: #555">You get this mail because this address was entered at the Vitrine server
            \(escape(publicURL))<br>
            If that was not you, ignore it: nothing more will be sent.</p>
            </body></html>
            """
        return Content(subject: subject, text: text, html: html)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
