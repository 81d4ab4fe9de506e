import MeshCore
import MeshRender
import Testing

@testable import ModelFormats

/// Big images are compressed in pieces that may go to several cores; the file must decode
/// to the same pixels and be byte-for-byte the same whatever the runner.
struct PNGPiecesTests {
    /// Noise with flat runs, `width`×`height`, deterministic.
    static func image(width: Int, height: Int) -> RGBAImage {
        var px = [UInt8](repeating: 0, count: width * height * 4)
        var state: UInt32 = 12345
        for i in stride(from: 0, to: px.count, by: 4) where (i / 4) % 7 < 4 {
            state = state &* 1_664_525 &+ 1_013_904_223
            px[i] = UInt8(truncatingIfNeeded: state >> 24); px[i + 1] = UInt8(truncatingIfNeeded: state >> 16)
            px[i + 2] = UInt8(truncatingIfNeeded: state >> 8); px[i + 3] = 255
        }
        return RGBAImage(width: width, height: height, pixels: px)
    }

    @Test(arguments: [(300, 401), (512, 512), (1, 8000), (8000, 2), (4, 3)])
    func piecesDecodeAndMatchAnyRunner(size: (Int, Int)) throws {
        let img = Self.image(width: size.0, height: size.1)
        let serial = PNG.encode(img)
        let wide = PNG.encode(img, runner: JobRunner(width: 3) { count, body in for j in 0..<count { body(j) } })
        #expect(serial == wide)
        #expect(try PNG.decode(serial) == img)
    }

    @Test func adlerCombineMatchesWholeChecksum() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        for cut in [0, 1, 5552, 65_521, 99_999, 100_000] {
            let a = bytes[..<cut].withUnsafeBufferPointer { Adler32.checksum($0) }
            let b = bytes[cut...].withUnsafeBufferPointer { Adler32.checksum($0) }
            let whole = bytes.withUnsafeBufferPointer { Adler32.checksum($0) }
            #expect(Adler32.combine(a, b, length: bytes.count - cut) == whole)
        }
    }
}
