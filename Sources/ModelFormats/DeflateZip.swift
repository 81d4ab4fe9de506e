// zlib comes with ZIPFoundation (its CZlib system-library module on Linux); Darwin SDKs
// ship it as `zlib`.
#if canImport(CZlib)
import CZlib
#elseif canImport(zlib)
import zlib
#endif
import Dispatch
import Foundation

/// A minimal ZIP writer whose entries are deflated by zlib at its fastest level, in
/// independent pieces on all cores (as pigz does): a case's 3MF holds tens of MB of XML,
/// and ZIPFoundation's single-threaded default level took about a second for one.
struct DeflateZip {
    private(set) var bytes: [UInt8] = []
    private var directory: [UInt8] = []
    private var count: UInt16 = 0

    /// Piece size: large enough that restarting the dictionary costs little ratio.
    static let piece = 4 << 20

    /// Appends an entry, deflated.
    mutating func add(_ name: String, _ data: [UInt8]) throws(ThreeMFError) {
        let (compressed, crc) = try DeflateZip.compress(data)
        let nameBytes = Array(name.utf8)
        let offset = bytes.count
        func header(_ out: inout [UInt8], central: Bool) {
            out.append32(central ? 0x0201_4B50 : 0x0403_4B50)
            if central { out.append16(20) }
            out.append16(20); out.append16(0); out.append16(8)  // needed 2.0, flags, DEFLATE
            out.append16(0); out.append16((20 << 9) | (1 << 5) | 1)  // 2000-01-01: reproducible bytes
            out.append32(crc)
            out.append32(UInt32(truncatingIfNeeded: compressed.count))
            out.append32(UInt32(truncatingIfNeeded: data.count))
            out.append16(UInt16(nameBytes.count)); out.append16(0)
            if central {
                out.append16(0); out.append16(0); out.append16(0); out.append32(0)
                out.append32(UInt32(truncatingIfNeeded: offset))
            }
            out.append(contentsOf: nameBytes)
        }
        header(&bytes, central: false)
        bytes.append(contentsOf: compressed)
        header(&directory, central: true)
        count += 1
    }

    /// The finished archive.
    mutating func finish() -> [UInt8] {
        let start = bytes.count
        bytes.append(contentsOf: directory)
        bytes.append32(0x0605_4B50)
        bytes.append16(0); bytes.append16(0); bytes.append16(count); bytes.append16(count)
        bytes.append32(UInt32(truncatingIfNeeded: directory.count))
        bytes.append32(UInt32(truncatingIfNeeded: start))
        bytes.append16(0)
        return bytes
    }

    /// Raw deflate of `data` in pieces compressed in parallel and joined (each piece but the
    /// last ends on a full flush, so the streams concatenate), with the CRC-32 of the whole.
    static func compress(_ data: [UInt8]) throws(ThreeMFError) -> ([UInt8], UInt32) {
        let pieces = max(1, (data.count + piece - 1) / piece)
        nonisolated(unsafe) var outputs = [[UInt8]](repeating: [], count: pieces)
        nonisolated(unsafe) var crcs = [UInt32](repeating: 0, count: pieces)
        nonisolated(unsafe) var failed = false
        data.withUnsafeBufferPointer { input in
            nonisolated(unsafe) let input = input
            DispatchQueue.concurrentPerform(iterations: pieces) { k in
                let lo = k * piece, hi = min(data.count, lo + piece)
                var stream = z_stream()
                guard deflateInit2_(&stream, 1, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    failed = true
                    return
                }
                defer { deflateEnd(&stream) }
                let bound = Int(deflateBound(&stream, UInt(hi - lo))) + 64
                var out = [UInt8](repeating: 0, count: bound)
                let base = UnsafeMutablePointer(mutating: input.baseAddress!)
                stream.next_in = hi > lo ? base + lo : base
                stream.avail_in = UInt32(hi - lo)
                let status: Int32 = out.withUnsafeMutableBufferPointer { o in
                    stream.next_out = o.baseAddress
                    stream.avail_out = UInt32(o.count)
                    return deflate(&stream, k == pieces - 1 ? Z_FINISH : Z_FULL_FLUSH)
                }
                if (k == pieces - 1 && status != Z_STREAM_END) || (k < pieces - 1 && status != Z_OK) || stream.avail_in != 0 {
                    failed = true
                    return
                }
                out.removeLast(Int(stream.avail_out))
                outputs[k] = out
                crcs[k] = UInt32(crc32(0, hi > lo ? base + lo : base, UInt32(hi - lo)))
            }
        }
        if failed { throw ThreeMFError("could not compress the 3MF model (zlib failed)") }
        var joined: [UInt8] = []
        joined.reserveCapacity(outputs.reduce(0) { $0 + $1.count })
        var crc = crcs[0]
        for k in 0..<pieces {
            joined.append(contentsOf: outputs[k])
            if k > 0 {
                let length = min(data.count, (k + 1) * piece) - k * piece
                crc = UInt32(crc32_combine(UInt(crc), UInt(crcs[k]), off_t(length)))
            }
        }
        return (joined, crc)
    }
}

extension [UInt8] {
    fileprivate mutating func append16(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    fileprivate mutating func append32(_ v: UInt32) {
        append(UInt8(v & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8((v >> 16) & 0xFF)); append(UInt8(v >> 24))
    }
}
