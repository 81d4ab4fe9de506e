import Foundation
import Vapor

/// Reads a request body as a JSON object with exactly the fields a type declares: malformed
/// JSON, a body that is not an object, unknown fields, missing fields and wrong types each get a
/// 400 that names the problem.
enum StrictJSON {
    static func decode<T: Decodable>(_ type: T.Type, fields: [String], from request: Request) throws -> T {
        guard let buffer = request.body.data, buffer.readableBytes > 0 else {
            throw APIError.badRequest("missing_body", "expected a JSON object with the field\(fields.count == 1 ? "" : "s") \(fields.joined(separator: ", "))")
        }
        let limit = request.vitrine.settings.maxBodyBytes
        guard buffer.readableBytes <= limit else { throw Abort(.payloadTooLarge) }
        let data = Data(buffer: buffer)
        let decoder = JSONDecoder()
        let keys: [String]
        do {
            keys = try decoder.decode(KeyProbe.self, from: data).keys
        } catch let DecodingError.dataCorrupted(context) {
            let detail = context.underlyingError.map { String(describing: $0) } ?? jsonProblem(data) ?? context.debugDescription
            throw APIError.badRequest("malformed_json", "the body is not valid JSON: \(detail)")
        } catch {
            throw APIError.badRequest("malformed_json", "the body must be a JSON object, e.g. {\"\(fields.first ?? "field")\": ...}")
        }
        if let unknown = keys.sorted().first(where: { !fields.contains($0) }) {
            throw APIError.badRequest("unknown_field", "unknown field '\(unknown)'; this endpoint takes \(fields.joined(separator: ", "))")
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("missing_field", "the field '\(key.stringValue)' is missing")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.badRequest("invalid_field", "the field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must not be null")
        } catch let DecodingError.typeMismatch(type, context) {
            throw APIError.badRequest("invalid_field", "the field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' must be \(type == String.self ? "a string" : "\(type)")")
        } catch {
            throw APIError.badRequest("invalid_body", "the body could not be read: \(error)")
        }
    }

    /// Where a JSON text goes wrong, for the error reply: an unclosed object, string or array.
    static func jsonProblem(_ data: Data) -> String? {
        var depth: [UInt8] = []
        var inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth.append(byte)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = depth.popLast()
            default: break
            }
        }
        if inString { return "a string is not closed (missing \")" }
        if let open = depth.last { return "the body ends inside an \(open == UInt8(ascii: "{") ? "object (missing })" : "array (missing ])")" }
        return nil
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct KeyProbe: Decodable {
        let keys: [String]
        init(from decoder: any Decoder) throws {
            keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        }
    }
}
