import Foundation
import VitrineKit

/// Where the license signing key comes from: `VITRINE_LICENSE_SIGNING_KEY`, else DIR/license-signing.key,
/// created on first start with mode 0600. Every process serving one database must use the same key.
enum SigningKeyStore {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func load(settings: Settings) throws -> LicenseSigner {
        if let base64 = settings.licenseSigningKey {
            return try LicenseSigner(base64: base64)
        }
        let path = (settings.dataDirectory as NSString).appendingPathComponent("license-signing.key")
        try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        let fresh = LicenseSigner.generate()
        // O_EXCL: when two processes start at once, exactly one creates the file and both read it.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            let bytes = Array((fresh.base64 + "\n").utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fsync(fd)
            close(fd)
            guard written == bytes.count else { throw Failure(description: "could not write the license signing key to \(path)") }
            return fresh
        }
        guard errno == EEXIST else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        var text = ""
        for _ in 0..<50 {  // the creator may be mid-write
            text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { break }
            usleep(20_000)
        }
        do { return try LicenseSigner(base64: text) } catch {
            throw Failure(description: "\(path): \(error)")
        }
    }
}
