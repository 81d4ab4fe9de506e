import Foundation
import Testing
import VaporTesting
@testable import VitrineServer

/// Fixed-window limits per client address and per normalized email, counted in the database.
@Suite struct RateLimitTests {
    func from(_ ip: String) -> HTTPHeaders { ["X-Forwarded-For": "198.51.100.1, \(ip)"] }

    @Test(arguments: TestDatabase.all)
    func loginIsLimitedPerEmailWhateverTheAddress(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.rateLimitEnabled = true; $0.trustsProxy = true; $0.rateLimitPerEmail = 3; $0.rateLimitWindowSeconds = 900 }) { env in
            try await env.signUp("target@example.com")
            var statuses: [UInt] = []
            for i in 0..<5 {
                let email = i % 2 == 0 ? "target@example.com" : "TARGET+x@example.com"
                let res = try await env.send(.POST, "api/v1/session", #"{"email": "\#(email)", "password": "guess number \#(i)"}"#, headers: from("203.0.113.\(i)"))
                statuses.append(res.status.code)
                if res.status == .tooManyRequests {
                    #expect(res.json["error"] as? String == "rate_limited")
                    let retry = try #require(res.headers.first(name: .retryAfter).flatMap(Int.init))
                    #expect((1...900).contains(retry))
                }
            }
            #expect(statuses == [401, 401, 401, 429, 429])
            // Even the right password waits for the next window.
            let right = #"{"email": "target@example.com", "password": "correct horse battery"}"#
            #expect(try await env.send(.POST, "api/v1/session", right, headers: from("203.0.113.9")).status == .tooManyRequests)
            env.clock.advance(by: 900)
            #expect(try await env.send(.POST, "api/v1/session", right, headers: from("203.0.113.9")).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func trialStartIsLimitedPerAddress(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.rateLimitEnabled = true; $0.trustsProxy = true; $0.rateLimitPerIP = 4 }) { env in
            var statuses: [UInt] = []
            for i in 0..<6 {
                statuses.append(try await env.send(.POST, "api/v1/trial", #"{"email": "farm\#(i)@example.com"}"#, headers: from("192.0.2.7")).status.code)
            }
            #expect(statuses == [202, 202, 202, 202, 429, 429])
            #expect(try await env.count("licenses") == 4)
            // Another address, and another /64 for IPv6, are counted apart; the same /64 is one client.
            #expect(try await env.send(.POST, "api/v1/trial", #"{"email": "other@example.com"}"#, headers: from("192.0.2.8")).status == .accepted)
            for i in 0..<4 {
                _ = try await env.send(.POST, "api/v1/trial", #"{"email": "v6-\#(i)@example.com"}"#, headers: from("2001:db8:1:2::\(i + 1)"))
            }
            #expect(try await env.send(.POST, "api/v1/trial", #"{"email": "v6-x@example.com"}"#, headers: from("2001:db8:1:2:ffff::9")).status == .tooManyRequests)
            #expect(try await env.send(.POST, "api/v1/trial", #"{"email": "v6-y@example.com"}"#, headers: from("2001:db8:1:3::1")).status == .accepted)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentRequestsNeverPassTheLimit(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.rateLimitEnabled = true; $0.trustsProxy = true; $0.rateLimitPerEmail = 5 }) { env in
            let passed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<60 {
                    group.addTask {
                        let res = try await env.send(.POST, "api/v1/magic-link", #"{"email": "flood@example.com"}"#, headers: from("10.0.\(i).1"))
                        return res.status != .tooManyRequests
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(passed == 5)
            let hits = try await RateLimit.rows(subject: "email:flood@example.com", on: env.app.db)
            #expect(hits.map(\.hits) == [60])
        }
    }

    @Test(arguments: TestDatabase.all)
    func forwardedForIsIgnoredUnlessTrusted(db: TestDatabase) async throws {
        try await withApp(db, settings: { $0.rateLimitEnabled = true; $0.rateLimitPerIP = 2 }) { env in
            var statuses: [UInt] = []
            for i in 0..<3 {
                statuses.append(try await env.send(.POST, "api/v1/password-reset", #"{"email": "r\#(i)@example.com"}"#, headers: from("203.0.113.\(i)")).status.code)
            }
            #expect(statuses == [202, 202, 429])
        }
        #expect(RateLimitMiddleware.limitingPrefix("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64")
        #expect(RateLimitMiddleware.limitingPrefix("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(RateLimitMiddleware.limitingPrefix("192.0.2.1") == "192.0.2.1")
    }
}
