// zlib comes with ZIPFoundation (its CZlib system-library module on Linux); Darwin SDKs
// ship it as `zlib`.
#if canImport(CZlib)
import CZlib
#elseif canImport(zlib)
import zlib
#endif
import Foundation
import MeshCore

/// One file stored in a ZIP archive, as its central directory describes it.
struct ZipEntry: Sendable {
    /// The stored name, e.g. `3D/3dmodel.model` (no leading slash).
    var name: String
    var method: UInt16
    var flags: UInt16
    var crc32: UInt32
    var compressedSize: UInt64
    /// The size the archive claims; checked, never trusted, when extracting.
    var uncompressedSize: UInt64
    var localHeaderOffset: UInt64
}

/// A bounds-checked reader for ZIP archives held in memory (central directory, ZIP64,
/// stored and deflated entries).
///
/// Why not ZIPFoundation's `Archive.extract`: on Linux its inflate loop never ends when a
/// deflate stream is cut short (it keeps asking for input past the end of the file), and it
/// cannot bound output by anything but a callback. This reader hands zlib exactly the
/// entry's compressed bytes, treats a stream that stops early as an error, and stops
/// inflating as soon as the output passes the caller's limit.
struct ZipReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var entries: [ZipEntry] = []

    /// Parses the central directory; throws when `bytes` is not a ZIP archive.
    init(_ bytes: UnsafeRawBufferPointer) throws(ThreeMFError) {
        self.bytes = bytes
        let n = bytes.count
        // The end-of-central-directory record is 22 bytes plus a comment of at most 64 KiB.
        guard n >= 22 else { throw ThreeMFError("not a 3MF file: not a ZIP archive") }
        var eocd = -1
        var i = n - 22
        let lowest = max(0, n - 22 - 65535)
        while i >= lowest {
            if u32(i) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ThreeMFError("not a 3MF file: not a ZIP archive") }

        var entryCount = UInt64(u16(eocd + 10))
        var directorySize = UInt64(u32(eocd + 12))
        var directoryOffset = UInt64(u32(eocd + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the classic record points at the 64-bit record.
            let locator = eocd - 20
            guard locator >= 0, u32(locator) == 0x0706_4b50 else {
                throw ThreeMFError("not a 3MF file: the ZIP64 directory locator is missing")
            }
            let record = u64(locator + 8)
            guard record <= UInt64(n - 56), u32(Int(record)) == 0x0606_4b50 else {
                throw ThreeMFError("not a 3MF file: the ZIP64 directory record is damaged")
            }
            entryCount = u64(Int(record) + 32)
            directorySize = u64(Int(record) + 40)
            directoryOffset = u64(Int(record) + 48)
        }
        guard directoryOffset <= UInt64(n), directorySize <= UInt64(n) - directoryOffset else {
            throw ThreeMFError(
                "not a 3MF file: the ZIP central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the \(ASCIIGrouping.bytes(n)) file"
            )
        }

        // Each record is at least 46 bytes, so the loop is bounded by the real directory
        // size, not by the claimed entry count.
        var p = Int(directoryOffset)
        let end = Int(directoryOffset + directorySize)
        var seen: UInt64 = 0
        while p + 46 <= end && seen < entryCount {
            guard u32(p) == 0x0201_4b50 else {
                throw ThreeMFError("not a 3MF file: ZIP central directory entry \(seen) is damaged")
            }
            let flags = u16(p + 8)
            let method = u16(p + 10)
            let crc = u32(p + 16)
            var compressed = UInt64(u32(p + 20))
            var uncompressed = UInt64(u32(p + 24))
            let nameLength = Int(u16(p + 28))
            let extraLength = Int(u16(p + 30))
            let commentLength = Int(u16(p + 32))
            var offset = UInt64(u32(p + 42))
            let nameStart = p + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= end else {
                throw ThreeMFError("not a 3MF file: ZIP central directory entry \(seen) runs past the directory")
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<extraStart]), as: UTF8.self)
            // ZIP64 extended information holds the 64-bit values whose 32-bit fields are all ones.
            var e = extraStart
            while e + 4 <= extraStart + extraLength {
                let id = u16(e)
                let size = Int(u16(e + 2))
                let body = e + 4
                guard body + size <= extraStart + extraLength else { break }
                if id == 0x0001 {
                    var f = body
                    if uncompressed == 0xFFFF_FFFF && f + 8 <= body + size { uncompressed = u64(f); f += 8 }
                    if compressed == 0xFFFF_FFFF && f + 8 <= body + size { compressed = u64(f); f += 8 }
                    if offset == 0xFFFF_FFFF && f + 8 <= body + size { offset = u64(f); f += 8 }
                }
                e = body + size
            }
            entries.append(
                ZipEntry(
                    name: name, method: method, flags: flags, crc32: crc, compressedSize: compressed,
                    uncompressedSize: uncompressed, localHeaderOffset: offset))
            p = next
            seen += 1
        }
    }

    /// The entry whose name matches an OPC part name (leading `/` optional, ASCII case ignored).
    func entry(named partName: String) -> ZipEntry? {
        let wanted = ZipReader.normalized(partName)
        return entries.first { ZipReader.normalized($0.name) == wanted }
    }

    /// A part name without its leading slash, lowercased (OPC part names ignore ASCII case).
    static func normalized(_ name: String) -> String {
        var s = Substring(name)
        while s.first == "/" { s = s.dropFirst() }
        var bytes = Array(s.utf8)
        for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] += 32 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The entry's contents, refusing to produce more than `limits` allow. The declared size
    /// is checked first, then the real output is counted as it is inflated (declared sizes
    /// can lie), so at most about `limits.maxPartBytes` bytes are ever held.
    func extract(_ entry: ZipEntry, limits: ThreeMFLimits, budget: Int) throws(ThreeMFError) -> ByteBuffer {
        let name = entry.name
        guard entry.flags & 1 == 0 else { throw ThreeMFError("3MF part \(name) is encrypted") }
        guard entry.method == 0 || entry.method == 8 else {
            throw ThreeMFError("3MF part \(name) uses unsupported ZIP compression method \(entry.method)")
        }
        let cap = min(limits.maxPartBytes, budget)
        // The ratio limit only applies past a floor, since small XML parts compress very well.
        let ratioLimit = max(UInt64(limits.ratioCheckFloor), entry.compressedSize.multipliedReportingOverflow(by: UInt64(limits.maxCompressionRatio)).partialValue)
        if entry.uncompressedSize > UInt64(cap) {
            throw ThreeMFError(
                "3MF part \(name) would expand to \(ASCIIGrouping.bytes(entry.uncompressedSize)), more than the limit of \(ASCIIGrouping.bytes(cap)); refusing it"
            )
        }
        if entry.method == 8 && entry.uncompressedSize > ratioLimit {
            throw ThreeMFError(
                "3MF part \(name) claims to expand \(entry.compressedSize == 0 ? "from nothing" : "\(entry.uncompressedSize / max(entry.compressedSize, 1)):1"), more than the \(limits.maxCompressionRatio):1 a model can plausibly compress; refusing a possible ZIP bomb"
            )
        }

        let n = UInt64(bytes.count)
        let header = entry.localHeaderOffset
        guard header <= n, n - header >= 30, u32(Int(header)) == 0x0403_4b50 else {
            throw ThreeMFError("3MF part \(name) is damaged: its ZIP local header is missing")
        }
        let dataStart = header + 30 + UInt64(u16(Int(header) + 26)) + UInt64(u16(Int(header) + 28))
        guard dataStart <= n, entry.compressedSize <= n - dataStart else {
            throw ThreeMFError(
                "3MF part \(name) is truncated: it needs \(ASCIIGrouping.bytes(entry.compressedSize)) of compressed data but the file ends first"
            )
        }
        let input = UnsafeRawBufferPointer(rebasing: bytes[Int(dataStart)..<Int(dataStart + entry.compressedSize)])

        let out: ByteBuffer
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw ThreeMFError("3MF part \(name) is damaged: stored size \(entry.compressedSize) differs from declared \(entry.uncompressedSize)")
            }
            out = ByteBuffer(capacity: input.count)
            out.append(input)
        } else {
            let limit = min(UInt64(cap), ratioLimit)
            out = try inflateEntry(input, name: name, declared: entry.uncompressedSize, limit: Int(limit), cap: cap, limits: limits)
        }
        guard UInt64(out.count) == entry.uncompressedSize else {
            throw ThreeMFError(
                "3MF part \(name) is damaged: the archive declares \(ASCIIGrouping.bytes(entry.uncompressedSize)) but it holds \(ASCIIGrouping.bytes(out.count))"
            )
        }
        guard out.checksum() == entry.crc32 else { throw ThreeMFError("3MF part \(name) is damaged: its CRC-32 does not match") }
        return out
    }

    private func inflateEntry(
        _ input: UnsafeRawBufferPointer, name: String, declared: UInt64, limit: Int, cap: Int, limits: ThreeMFLimits
    ) throws(ThreeMFError) -> ByteBuffer {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ThreeMFError("could not start inflating 3MF part \(name)")
        }
        defer { inflateEnd(&stream) }
        // Trust the declared size only as a first allocation, and never beyond what deflate
        // can produce from this much input (at most 1032:1).
        let plausible = UInt64(input.count).multipliedReportingOverflow(by: 1032).partialValue &+ 64
        let out = ByteBuffer(capacity: Int(min(declared, plausible, UInt64(limit))) + 1)
        var remaining = input.count
        var next = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        while true {
            if stream.avail_in == 0 && remaining > 0 {
                let chunk = min(remaining, 1 << 30)
                stream.next_in = next
                stream.avail_in = UInt32(chunk)
                next = next?.advanced(by: chunk)
                remaining -= chunk
            }
            if out.count == out.capacity {
                if out.count > limit { break }
                out.grow(toAtMost: limit + 1)
            }
            let room = min(out.capacity - out.count, Int(UInt32.max))
            stream.next_out = out.base.advanced(by: out.count)
            stream.avail_out = UInt32(room)
            let status = inflate(&stream, Z_NO_FLUSH)
            out.count += room - Int(stream.avail_out)
            if status == Z_STREAM_END { break }
            if status == Z_BUF_ERROR && stream.avail_in == 0 && remaining == 0 {
                throw ThreeMFError("3MF part \(name) is truncated: its compressed data ends before the deflate stream does")
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                throw ThreeMFError("3MF part \(name) is damaged: invalid deflate data")
            }
            if out.count > limit { break }
        }
        if out.count > limit {
            if limit >= cap {
                throw ThreeMFError(
                    "3MF part \(name) expands past the limit of \(ASCIIGrouping.bytes(cap)) (the archive declared \(ASCIIGrouping.bytes(declared))); refusing a possible ZIP bomb"
                )
            }
            throw ThreeMFError(
                "3MF part \(name) expands more than \(limits.maxCompressionRatio):1 (past \(ASCIIGrouping.bytes(limit)) from \(ASCIIGrouping.bytes(input.count))); refusing a possible ZIP bomb"
            )
        }
        return out
    }

    private func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    private func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    private func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
}

/// A growable byte buffer that owns its memory, so a part can be inflated in place and
/// parsed without another copy.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Doubles the capacity, but not past `limit`.
    func grow(toAtMost limit: Int) {
        let newCapacity = max(capacity + 1, min(capacity * 2, limit))
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        while capacity - count < bytes.count { grow(toAtMost: count + bytes.count) }
        if let src = bytes.baseAddress { UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: bytes.count) }
        count += bytes.count
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The CRC-32 (as ZIP stores it) of the contents.
    func checksum() -> UInt32 {
        var crc: UInt = crc32(0, nil, 0)
        var offset = 0
        while offset < count {
            let chunk = min(count - offset, 1 << 30)
            crc = crc32(crc, base + offset, UInt32(chunk))
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}

/// Byte counts for messages ("14,467,124 bytes").
enum ASCIIGrouping {
    static func bytes<T: BinaryInteger>(_ n: T) -> String { "\(ASCII.grouped(Int(clamping: n))) bytes" }
}
