import Foundation
import Vapor

/// The web app at `/`: Web/ (the generator page, its ES modules, the service worker and
/// vitrine.wasm) served as static files, with headers that keep the page to its own origin.
enum WebApp {
    /// Serves `directory` (nil: no web app, the API only).
    static func install(on app: Application, directory: String?) {
        app.middleware.use(SecurityHeadersMiddleware())
        guard let directory else { return }
        app.middleware.use(StaticFilesMiddleware(files: FileMiddleware(publicDirectory: directory, defaultFile: "index.html")))
    }

    /// Makes sure `vitrine.wasm` exists in the web directory of a source checkout: a fresh
    /// clone has the engine's sources but not the built wasm (gitignored), so the first
    /// `vitrine serve` builds it with scripts/build-wasm.sh (about a minute) and says so.
    /// Elsewhere (an installed binary without the scripts) a missing engine is only logged.
    static func ensureEngine(webDirectory: String?, logger: Logger) {
        guard let webDirectory else { return }
        let wasm = (webDirectory as NSString).appendingPathComponent("vitrine.wasm")
        if FileManager.default.fileExists(atPath: wasm) { return }
        let root = ((webDirectory as NSString).standardizingPath as NSString).deletingLastPathComponent
        let script = (root as NSString).appendingPathComponent("scripts/build-wasm.sh")
        guard FileManager.default.isExecutableFile(atPath: script) else {
            logger.error("web app: \(wasm) is missing and there is no scripts/build-wasm.sh to build it; the case generator page will not work")
            return
        }
        logger.notice("web app: building the browser engine (\(wasm)) with scripts/build-wasm.sh, once …")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", script]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            logger.error("web app: could not run \(script): \(error)")
            return
        }
        if process.terminationStatus != 0 || !FileManager.default.fileExists(atPath: wasm) {
            logger.error("web app: scripts/build-wasm.sh failed (status \(process.terminationStatus)); the case generator page will not work until it succeeds")
        }
    }
}

/// Headers on every response: the page may load scripts, styles, workers and wasm only from
/// this origin and talk only to it; no referrers leave; nothing may frame it. Static files
/// are revalidated on each load (cheap with ETags) so a new engine or service worker is
/// picked up at once; the service worker keeps the offline copy.
struct SecurityHeadersMiddleware: Middleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "connect-src 'self'",
        "img-src 'self' data: blob:", "style-src 'self'", "font-src 'self'", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // The raw request target (path and query) suffices to tell API answers from pages.
        next.respond(to: request).map { Self.addHeaders(to: $0, path: request.url.string) }
    }

    static func addHeaders(to response: Response, path: String) -> Response {
        let h = response.headers
        var headers = h
        headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        if !path.hasPrefix("/api/"), h[.cacheControl].isEmpty {
            headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        }
        response.headers = headers
        return response
    }
}

/// Hands GET and HEAD requests outside `/api/` to Vapor's file middleware and lets everything
/// else pass untouched: the API never looks at the disk (FileMiddleware would stat a file for
/// every API call and, being async, start a task for it).
struct StaticFilesMiddleware: Middleware {
    let files: FileMiddleware

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard request.method == .GET || request.method == .HEAD, !request.url.path.hasPrefix("/api/") else {
            return next.respond(to: request)
        }
        return files.respond(to: request, chainingTo: next)
    }
}
