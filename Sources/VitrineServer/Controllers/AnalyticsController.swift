import Foundation
import Vapor

/// `POST /api/v1/analytics {event, props}`: the web page's consented usage counts. The page
/// sends nothing until its visitor opts in (Web/app/consent.js); this side keeps only daily
/// counts (`AnalyticsCount`) and the route is left out of the request log, so not even a
/// truncated address is stored for it.
enum AnalyticsController {
    static let path: [PathComponent] = ["api", "v1", "analytics"]

    static func register(_ routes: any RoutesBuilder) {
        routes.post(path, use: record)
    }

    /// The events the page sends and, for each, the properties it may carry with their allowed values.
    static let events: [String: [String: Set<String>]] = [
        "page_view": ["path": ["/", "/index.html"]],
        "model_opened": ["format": ["stl-binary", "stl-ascii", "obj", "ply", "3mf"]],
        "rescaled": ["to": ["mm", "cm", "m", "in"]],
        "case_generated": ["style": ["clamshell", "lid", "tray"], "pins": ["0", "1", "2", "3", "4"]],
        "view_mode": ["mode": ["assembled", "exploded", "plate"]],
        "download": ["kind": ["3mf", "stl"]],
        "trial_requested": [:],
        "key_saved": [:],
    ]

    struct Body: Decodable {
        var event: String
        var props: [String: Prop]?
    }

    /// A property value: the page sends strings and small numbers.
    enum Prop: Decodable {
        case text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .text(s); return }
            if let n = try? c.decode(Int.self) { self = .text(String(n)); return }
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "a string or a whole number"))
        }
        var text: String { if case .text(let s) = self { return s }; return "" }
    }

    static func record(_ req: Request) async throws -> HTTPStatus {
        let body = try StrictJSON.decode(Body.self, fields: ["event", "props"], from: req)
        let detail = try detail(event: body.event, props: body.props ?? [:])
        let day = utcDay(req.vitrine.now())
        try await AnalyticsCount.increment(day: day, event: body.event, detail: detail, on: req.db)
        return .noContent
    }

    /// `key=value` pairs sorted by key, after checking the event and each property against `events`.
    static func detail(event: String, props: [String: Prop]) throws -> String {
        guard let allowed = events[event] else {
            throw APIError.badRequest("unknown_event", "unknown event '\(event.prefix(40))'; known: \(events.keys.sorted().joined(separator: ", "))")
        }
        var pairs: [String] = []
        for (key, value) in props.sorted(by: { $0.key < $1.key }) {
            guard let values = allowed[key] else {
                throw APIError.badRequest("unknown_property", "event '\(event)' has no property '\(key.prefix(40))'")
            }
            guard values.contains(value.text) else {
                throw APIError.badRequest("invalid_property", "'\(value.text.prefix(40))' is not a value of \(event).\(key)")
            }
            pairs.append("\(key)=\(value.text)")
        }
        return pairs.joined(separator: ",")
    }

    static func utcDay(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
