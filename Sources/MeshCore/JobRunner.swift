/// Runs a number of independent jobs, each given its index. The geometry core cannot start
/// threads (it compiles for wasm without an OS), so a native caller passes a runner that
/// spreads the jobs over cores, and everyone else gets `serial`.
///
/// Jobs must write only to memory no other job touches.
public struct JobRunner: Sendable {
    /// How many jobs it is worth splitting work into (the number of cores it uses).
    public let width: Int
    /// Runs `body(0) … body(count - 1)` and returns when all have finished.
    public let run: @Sendable (_ count: Int, _ body: (Int) -> Void) -> Void

    /// Makes a runner that uses `width` cores.
    public init(width: Int, run: @escaping @Sendable (_ count: Int, _ body: (Int) -> Void) -> Void) {
        self.width = Swift.max(1, width)
        self.run = run
    }

    /// Runs jobs one after another on the calling thread.
    public static let serial = JobRunner(width: 1) { count, body in
        for i in 0..<count { body(i) }
    }
}
