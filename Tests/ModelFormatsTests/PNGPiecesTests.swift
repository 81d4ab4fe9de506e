import MeshCore
import MeshRender
import Testing

@testable import ModelFormats

/// Big images are compressed in pieces that may go to several cores; the file must decode
/// to the same pixels and be byte-for-byte the same whatever the runner.
struct PNGPiecesTests {
    /// Noise with flat runs, `width`×`height`, deterministic; the runs are transparent
    /// unless `opaque`.
    static func image(width: Int, height: Int, opaque: Bool = false) -> RGBAImage {
        var px = [UInt8](repeating: 0, count: width * height * 4)
        if opaque { for i in stride(from: 3, to: px.count, by: 4) { px[i] = 255 } }
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
        #expect(serial[25] == 6, "colour type RGBA: the image has transparent pixels")
    }

    /// Opaque images are written as RGB (colour type 2): same pixels, a quarter less data.
    @Test(arguments: [(300, 401), (512, 512), (1, 8000), (8000, 2), (4, 3), (1, 1)])
    func opaqueImagesAreRGB(size: (Int, Int)) throws {
        let img = Self.image(width: size.0, height: size.1, opaque: true)
        let serial = PNG.encode(img)
        let wide = PNG.encode(img, runner: JobRunner(width: 3) { count, body in for j in 0..<count { body(j) } })
        #expect(serial == wide)
        #expect(serial[25] == 2)
        #expect(try PNG.decode(serial) == img)
        var withAlpha = img.pixels
        withAlpha[withAlpha.count - 1] = 254
        let rgba = PNG.encode(RGBAImage(width: img.width, height: img.height, pixels: withAlpha))
        #expect(rgba[25] == 6, "one pixel short of opaque keeps RGBA")
        #expect(try PNG.decode(rgba).pixels == withAlpha)
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
