import MeshCore
import MeshIO
import MeshRender
import Testing

@testable import ModelFormats

func decodeError(_ bytes: [UInt8]) -> String? {
    do {
        _ = try PNG.decode(bytes)
        return nil
    } catch {
        return error.message
    }
}

/// A PNG file with the given IHDR fields and IDAT payload, CRCs correct.
func craftedPNG(width: UInt32, height: UInt32, depth: UInt8 = 8, colorType: UInt8 = 6, interlace: UInt8 = 0, idat: [UInt8]) -> [UInt8] {
    var out = PNG.signature
    var ihdr: [UInt8] = []
    PNG.appendBigEndian(&ihdr, width)
    PNG.appendBigEndian(&ihdr, height)
    ihdr += [depth, colorType, 0, 0, interlace]
    PNG.appendChunk(&out, "IHDR", ihdr)
    PNG.appendChunk(&out, "IDAT", idat)
    PNG.appendChunk(&out, "IEND", [])
    return out
}

@Suite struct PNGTests {
    /// A deterministic image with gradients, flat runs, noise and partial alpha.
    static func sampleImage(width: Int, height: Int) -> RGBAImage {
        var px = [UInt8](repeating: 0, count: width * height * 4)
        var seed: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 4
                seed = seed &* 1_103_515_245 &+ 12345
                if x < width / 3 {
                    px[i] = 240; px[i + 1] = 241; px[i + 2] = 245; px[i + 3] = 255
                } else if x < 2 * width / 3 {
                    px[i] = UInt8(x & 255); px[i + 1] = UInt8(y & 255); px[i + 2] = UInt8((x + y) & 255); px[i + 3] = UInt8((x * 3) & 255)
                } else {
                    px[i] = UInt8(truncatingIfNeeded: seed >> 24); px[i + 1] = UInt8(truncatingIfNeeded: seed >> 16)
                    px[i + 2] = UInt8(truncatingIfNeeded: seed >> 8); px[i + 3] = 255
                }
            }
        }
        return RGBAImage(width: width, height: height, pixels: px)
    }

    @Test func roundTripPreservesEveryPixel() throws {
        for (w, h) in [(1, 1), (2, 3), (7, 5), (300, 200)] {
            let image = Self.sampleImage(width: w, height: h)
            let png = PNG.encode(image)
            #expect(Array(png[0..<8]) == PNG.signature)
            #expect(try PNG.decode(png) == image, "\(w)x\(h)")
        }
    }

    @Test func renderedImageRoundTripsAndCompresses() throws {
        var b = MeshBuilder()
        let p = [b.vertex(0, 0, 0), b.vertex(10, 0, 0), b.vertex(0, 10, 0), b.vertex(0, 0, 10)]
        b.triangle(p[0], p[2], p[1]); b.triangle(p[0], p[1], p[3]); b.triangle(p[1], p[2], p[3]); b.triangle(p[0], p[3], p[2])
        let image = MeshRenderer.render(b.build(), options: RenderOptions(width: 512, height: 512))
        let png = PNG.encode(image)
        #expect(try PNG.decode(png) == image)
        #expect(png.count < image.pixels.count / 8, "mostly-background render compresses well: \(png.count) bytes")
    }

    @Test func transparentRenderRoundTrips() throws {
        var b = MeshBuilder()
        b.triangle(Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 0, 1))
        let image = MeshRenderer.render(b.build(), options: RenderOptions(width: 40, height: 30, view: .front, background: .transparent))
        #expect(try PNG.decode(PNG.encode(image)) == image)
    }

    @Test func decodesOtherEncodersFilesOfEveryBlockType() throws {
        for (name, bytes, alpha) in [("fixed RGB", PNGFixtures.rgbFixed, false), ("stored RGBA", PNGFixtures.rgbaStored, true), ("dynamic RGBA", PNGFixtures.rgbaDynamic, true)] {
            let image = try PNG.decode(bytes)
            #expect(image.width == 16 && image.height == 16, "\(name)")
            var mismatches = 0
            for y in 0..<16 {
                for x in 0..<16 {
                    var expected = PNGFixtures.pixel(x, y)
                    if !alpha { expected.a = 255 }
                    if image.pixel(x, y) != expected { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(name): \(mismatches) pixels differ")
        }
    }

    @Test func rejectsGarbageWithClearErrors() {
        #expect(decodeError([]) == "not a PNG file: the 8-byte PNG signature is missing")
        #expect(decodeError(Array("hello, world, not an image".utf8))?.contains("signature") == true)
        // Truncated in the middle of a chunk.
        let good = PNGFixtures.rgbaDynamic
        #expect(decodeError(Array(good[0..<100]))?.contains("truncated") == true)
        // One flipped bit inside the IDAT data breaks its CRC.
        var flipped = good
        flipped[100] ^= 0x10
        #expect(decodeError(flipped)?.contains("bad CRC") == true)
        // Signature only.
        #expect(decodeError(PNG.signature) == "PNG has no IHDR header")
    }

    @Test func rejectsUnsupportedKinds() {
        let idat = Deflate.zlibCompress([0, 0, 0, 0, 0])
        #expect(decodeError(craftedPNG(width: 1, height: 1, colorType: 3, idat: idat))?.contains("palette") == true)
        #expect(decodeError(craftedPNG(width: 1, height: 1, colorType: 0, idat: idat))?.contains("greyscale") == true)
        #expect(decodeError(craftedPNG(width: 1, height: 1, depth: 16, idat: idat))?.contains("bit depth 16") == true)
        #expect(decodeError(craftedPNG(width: 1, height: 1, interlace: 1, idat: idat))?.contains("interlaced") == true)
    }

    @Test func claimedSizeIsCappedBeforeAllocating() {
        // A header claiming 100000 x 100000 (40 GB of pixels) with a tiny payload.
        let huge = craftedPNG(width: 100_000, height: 100_000, idat: Deflate.zlibCompress([0]))
        #expect(decodeError(huge) == "PNG is 100000x100000; the largest accepted side is 8192")
        // Within the cap but the data is far smaller than the header says.
        let short = craftedPNG(width: 8000, height: 8000, idat: Deflate.zlibCompress([0, 1, 2, 3, 4]))
        #expect(decodeError(short)?.contains("holds 5 bytes, expected 256008000") == true)
    }

    @Test func rejectsDataThatExpandsPastTheImage() {
        // A 1x1 RGBA image needs 5 bytes; this stream inflates to 100,000.
        let bomb = craftedPNG(width: 1, height: 1, idat: Deflate.zlibCompress([UInt8](repeating: 0, count: 100_000)))
        #expect(decodeError(bomb)?.contains("expands past the expected 5 bytes") == true)
    }

    @Test func rejectsCorruptDeflateData() {
        var stream = Deflate.zlibCompress([UInt8](repeating: 7, count: 5))
        stream[0] = 0x79  // CM 9 is not deflate
        #expect(decodeError(craftedPNG(width: 1, height: 1, idat: stream)) == "PNG image data: bad zlib header")
        var badSum = Deflate.zlibCompress([0, 1, 2, 3, 4])
        badSum[badSum.count - 1] ^= 1
        #expect(decodeError(craftedPNG(width: 1, height: 1, idat: badSum)) == "PNG image data: zlib Adler-32 checksum mismatch")
        // Reserved block type 3.
        #expect(decodeError(craftedPNG(width: 1, height: 1, idat: [0x78, 0x01, 0x07, 0, 0, 0, 0, 0]))?.contains("block type 3") == true)
        // Unknown row filter 9.
        #expect(decodeError(craftedPNG(width: 1, height: 1, idat: Deflate.zlibCompress([9, 1, 2, 3, 4]))) == "PNG row 0 has unknown filter type 9")
    }

    @Test func checksumsMatchKnownValues() {
        let abc = Array("123456789".utf8)
        #expect(CRC32.checksum(abc, from: 0, to: abc.count) == 0xCBF4_3926)
        #expect(abc.withUnsafeBufferPointer { Adler32.checksum($0) } == 0x091E_01DE)
    }
}
