import Dispatch
import Foundation
import MeshCore

#if canImport(Glibc)
import Glibc
#endif

extension JobRunner {
    /// Spreads jobs over all cores with Dispatch (native builds only).
    public static let cores = JobRunner(width: usableCores()) { count, body in
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let job = body
            DispatchQueue.concurrentPerform(iterations: count) { job($0) }
        }
    }

    /// Cores this process may keep busy: the online ones, capped by a cgroup v2 CPU quota
    /// (a container limited to 1.5 CPUs gets 2). Read with two plain calls: Foundation's
    /// `activeProcessorCount` answers the same but its first call cost ~0.5 ms of a 25 ms render.
    static func usableCores() -> Int {
        #if canImport(Glibc)
        let online = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        guard let file = fopen("/sys/fs/cgroup/cpu.max", "r") else { return online }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return online }
        // "max 100000" (no quota) or "QUOTA PERIOD" in microseconds.
        let fields = String(cString: line).split(separator: " ")
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1].trimmingCharacters(in: .whitespacesAndNewlines)),
              quota > 0, period > 0 else { return online }
        return max(1, min(online, Int((quota / period).rounded(.up))))
        #else
        return ProcessInfo.processInfo.activeProcessorCount
        #endif
    }
}
