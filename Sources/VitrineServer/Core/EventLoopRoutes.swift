import NIOCore
import Vapor

/// Runs an async handler as a task whose executor is the request's event loop. Vapor's own async
/// routes start their task on Swift's global pool, so every request crossed threads twice more
/// (loop → pool → loop) than it needs to; on the license endpoints that was a fifth of the CPU.
/// Blocking work must not run here: it would stall the loop (SQLite and bcrypt use the thread pool).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

extension RoutesBuilder {
    /// Registers `handler` for `method path` so that it runs on the request's event loop.
    @discardableResult
    func onLoop(_ method: HTTPMethod, _ path: PathComponent..., use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        on(method, path) { request -> EventLoopFuture<Response> in
            let promise = request.eventLoop.makePromise(of: Response.self)
            Task(executorPreference: EventLoopTaskExecutor(loop: request.eventLoop)) {
                do { promise.succeed(try await handler(request)) } catch { promise.fail(error) }
            }
            return promise.futureResult
        }
    }
}
