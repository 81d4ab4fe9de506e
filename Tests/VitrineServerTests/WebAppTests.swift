import Foundation
import Testing
import VaporTesting
@testable import VitrineServer

/// The web app served at `/` and its consented analytics, on every test database.
@Suite struct WebAppTests {
    @Test(arguments: TestDatabase.all)
    func pageModulesAndEngineAreServedWithSameOriginHeaders(db: TestDatabase) async throws {
        try await withApp(db) { env in
            // The tests run from the package root, so ./Web is the web app.
            let page = try await env.get("")
            #expect(page.status == .ok)
            #expect(page.text.contains("<script type=\"module\""))
            #expect(page.headers.contentType?.subType == "html")
            let csp = page.headers.first(name: "Content-Security-Policy") ?? ""
            #expect(csp.contains("default-src 'self'") && csp.contains("connect-src 'self'") && csp.contains("'wasm-unsafe-eval'"))
            #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(page.headers.first(name: "Cache-Control") == "no-cache")
            let module = try await env.get("vitrine.js")
            #expect(module.status == .ok)
            #expect(module.headers.contentType?.subType == "javascript")
            let worker = try await env.get("sw.js")
            #expect(worker.status == .ok)
            // API replies keep their JSON and get the same protective headers.
            let health = try await env.get("healthz")
            #expect(health.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(try await env.get("no-such-file.js").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.all)
    func analyticsKeepsDailyCountsOnlyAndNoAddress(db: TestDatabase) async throws {
        try await withApp(db) { env in
            // act
            for _ in 0..<3 { #expect(try await env.post("api/v1/analytics", #"{"event":"page_view","props":{"path":"/"}}"#).status == .noContent) }
            #expect(try await env.post("api/v1/analytics", #"{"event":"case_generated","props":{"style":"lid","pins":4}}"#).status == .noContent)
            #expect(try await env.post("api/v1/analytics", #"{"event":"key_saved"}"#).status == .noContent)
            env.clock.advance(by: 86_400)
            #expect(try await env.post("api/v1/analytics", #"{"event":"page_view","props":{"path":"/"}}"#).status == .noContent)
            await RequestLogBuffer.flush(env.app)
            // assert: counts per day, event and allowed detail; nothing else kept, not even in the request log
            let counts = try await AnalyticsCount.all(on: env.app.db)
            #expect(counts == [
                AnalyticsCount(day: "2026-01-01", event: "case_generated", detail: "pins=4,style=lid", count: 1),
                AnalyticsCount(day: "2026-01-01", event: "key_saved", detail: "", count: 1),
                AnalyticsCount(day: "2026-01-01", event: "page_view", detail: "path=/", count: 3),
                AnalyticsCount(day: "2026-01-02", event: "page_view", detail: "path=/", count: 1),
            ])
            #expect(try await env.count("request_logs") == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func analyticsRefusesWhatItDoesNotCount(db: TestDatabase) async throws {
        try await withApp(db) { env in
            let cases: [(String, String)] = [
                (#"{"event":"file_name","props":{"name":"dragon.stl"}}"#, "unknown_event"),
                (#"{"event":"page_view","props":{"path":"/library/secret"}}"#, "invalid_property"),
                (#"{"event":"download","props":{"kind":"3mf","email":"a@b.c"}}"#, "unknown_property"),
                (#"{"event":"page_view","props":{"path":"/"},"ip":"1.2.3.4"}"#, "unknown_field"),
                (#"{"event":"page_view""#, "malformed_json"),
            ]
            for (body, error) in cases {
                let res = try await env.post("api/v1/analytics", body)
                #expect(res.status == .badRequest, "\(body)")
                #expect(res.json["error"] as? String == error, "\(body): \(res.text)")
            }
            #expect(try await AnalyticsCount.all(on: env.app.db).isEmpty)
        }
    }
}
