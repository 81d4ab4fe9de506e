import Dispatch
import Foundation
import MeshCore

extension JobRunner {
    /// Spreads jobs over all cores with Dispatch (native builds only).
    public static let cores = JobRunner(width: ProcessInfo.processInfo.activeProcessorCount) { count, body in
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let job = body
            DispatchQueue.concurrentPerform(iterations: count) { job($0) }
        }
    }
}
