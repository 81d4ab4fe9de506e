import Foundation
import Vapor

/// Account endpoints take a strict JSON object (see `StrictJSON`) or, for plain HTML forms, an
/// `application/x-www-form-urlencoded` body with the same fields (plus `csrf`, which the CSRF check reads).
enum AccountBody {
    static func decode<T: Decodable>(_ type: T.Type, fields: [String], from request: Request) throws -> T {
        guard request.headers.contentType == .urlEncodedForm else {
            return try StrictJSON.decode(type, fields: fields, from: request)
        }
        guard let buffer = request.body.data, let form = formFields(String(buffer: buffer)) else {
            throw APIError.badRequest("malformed_form", "the body is not a valid form (name=value&…, each name once)")
        }
        if let unknown = form.keys.sorted().first(where: { !fields.contains($0) && $0 != "csrf" }) {
            throw APIError.badRequest("unknown_field", "unknown field '\(unknown)'; this endpoint takes \(fields.joined(separator: ", "))")
        }
        if let missing = fields.first(where: { form[$0] == nil && !optionalFields(T.self).contains($0) }) {
            throw APIError.badRequest("missing_field", "the field '\(missing)' is missing")
        }
        let object = form.filter { fields.contains($0.key) }
        let data = try JSONSerialization.data(withJSONObject: object)
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw APIError.badRequest("invalid_body", "the form could not be read: \(error)")
        }
    }

    /// Fields a type may leave out (only `PATCH /me` has any).
    private static func optionalFields<T>(_: T.Type) -> [String] {
        T.self == AccountController.PatchMeBody.self ? ["email", "display_name"] : []
    }

    /// `a=1&b=two+words` → ["a": "1", "b": "two words"]; nil if malformed or a name repeats.
    static func formFields(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decodeComponent(parts[0]), !name.isEmpty,
                  let value = decodeComponent(parts.count > 1 ? parts[1] : ""),
                  fields[name] == nil
            else { return nil }
            fields[name] = value
        }
        return fields
    }

    private static func decodeComponent(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
