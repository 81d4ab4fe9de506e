import MeshCore

/// Stanford PLY reader: `ascii`, `binary_little_endian` and `binary_big_endian` bodies.
///
/// Takes x, y, z (any numeric type) from `element vertex` and fan-triangulates the
/// `vertex_indices` (or `vertex_index`) list of `element face`; other properties and elements
/// are skipped. Counts in the header are checked against the bytes that follow before any
/// allocation sized by them.
enum PLYReader {
    enum Scalar {
        case int8, uint8, int16, uint16, int32, uint32, float32, float64

        var size: Int {
            switch self {
            case .int8, .uint8: return 1
            case .int16, .uint16: return 2
            case .int32, .uint32, .float32: return 4
            case .float64: return 8
            }
        }

        var isInteger: Bool { self != .float32 && self != .float64 }
    }

    enum Role { case x, y, z, indices, other }

    struct Property {
        var role: Role
        var type: Scalar
        /// The count type when this is a list property.
        var countType: Scalar?
        var name: [UInt8]
    }

    enum Kind { case vertex, face, other }

    struct Element {
        var kind: Kind
        var name: [UInt8]
        var count: Int
        var properties: [Property] = []

        /// Bytes one instance takes at least in a binary body (lists counted as empty).
        var minimumSize: Int {
            var n = 0
            for p in properties { n += p.countType?.size ?? p.type.size }
            return n
        }

        var isFixedSize: Bool {
            for p in properties where p.countType != nil { return false }
            return true
        }
    }

    enum Encoding { case ascii, littleEndian, bigEndian }

    struct Header {
        var encoding: Encoding
        var elements: [Element]
        var bodyStart: Int
    }

    static func read(_ raw: UnsafeRawBufferPointer) throws(MeshIOError) -> TriangleMesh {
        let header = try parseHeader(raw)
        var vertexCount = -1
        for e in header.elements where e.kind == .vertex { vertexCount = e.count }
        guard vertexCount >= 0 else { throw MeshIOError("PLY file has no 'vertex' element") }
        var positions: [Float] = []
        var corners: [UInt32] = []
        if header.encoding == .ascii {
            try readASCIIBody(raw, header, vertexCount: vertexCount, positions: &positions, corners: &corners)
        } else {
            try readBinaryBody(raw, header, vertexCount: vertexCount, positions: &positions, corners: &corners)
        }
        guard !corners.isEmpty else {
            throw MeshIOError("PLY file has \(ASCII.grouped(vertexCount)) vertices but no faces")
        }
        return IndexedWelder.weld(positions: positions, corners: corners)
    }

    // MARK: Header

    static func parseHeader(_ raw: UnsafeRawBufferPointer) throws(MeshIOError) -> Header {
        var c = TextCursor(raw)
        guard "ply" ~= c.word(), c.atLineEnd else { throw MeshIOError("PLY file must start with a 'ply' line") }
        c.skipPlainLine()
        var encoding: Encoding?
        var elements: [Element] = []
        while true {
            c.skipSpaces()
            if c.atEnd { throw MeshIOError("PLY header has no 'end_header' line (truncated file?)") }
            if c.atLineEnd {
                c.skipPlainLine()
                continue
            }
            let lineStart = c.pos
            let keyword = c.word()
            switch keyword {
            case "format":
                c.skipSpaces()
                switch c.word() {
                case "ascii": encoding = .ascii
                case "binary_little_endian": encoding = .littleEndian
                case "binary_big_endian": encoding = .bigEndian
                case let other: throw MeshIOError("PLY header line \(c.line): unsupported format '\(text(other))'")
                }
            case "comment", "obj_info":
                break
            case "element":
                c.skipSpaces()
                let name = c.word()
                c.skipSpaces()
                guard let count = c.integer(), count >= 0 else {
                    throw MeshIOError("PLY header line \(c.line): element '\(text(name))' needs a count")
                }
                var kind = Kind.other
                if "vertex" ~= name && !elements.contains(where: { $0.kind == .vertex }) { kind = .vertex }
                if "face" ~= name && !elements.contains(where: { $0.kind == .face }) { kind = .face }
                elements.append(Element(kind: kind, name: name, count: count))
            case "property":
                guard !elements.isEmpty else {
                    throw MeshIOError("PLY header line \(c.line): property before any element")
                }
                c.skipSpaces()
                let typeName = c.word()
                var property: Property
                if "list" ~= typeName {
                    c.skipSpaces()
                    let countName = c.word()
                    c.skipSpaces()
                    let itemName = c.word()
                    c.skipSpaces()
                    let name = c.word()
                    guard let countType = scalar(countName) else { throw unsupported(countName, name, c) }
                    guard let itemType = scalar(itemName) else { throw unsupported(itemName, name, c) }
                    guard countType.isInteger else {
                        throw MeshIOError(
                            "PLY header line \(c.line): list '\(text(name))' has a non-integer count type '\(text(countName))'")
                    }
                    let isIndices = "vertex_indices" ~= name || "vertex_index" ~= name
                    let last = elements.count - 1
                    if isIndices && elements[last].kind == .face && !itemType.isInteger {
                        throw MeshIOError("PLY header line \(c.line): '\(text(name))' has non-integer type '\(text(itemName))'")
                    }
                    property = Property(role: isIndices ? .indices : .other, type: itemType, countType: countType, name: name)
                } else {
                    c.skipSpaces()
                    let name = c.word()
                    guard let type = scalar(typeName) else { throw unsupported(typeName, name, c) }
                    let role: Role = "x" ~= name ? .x : ("y" ~= name ? .y : ("z" ~= name ? .z : .other))
                    property = Property(role: role, type: type, countType: nil, name: name)
                }
                let last = elements.count - 1
                if elements[last].kind != .face && property.role == .indices { property.role = .other }
                if elements[last].kind != .vertex && (property.role == .x || property.role == .y || property.role == .z) {
                    property.role = .other
                }
                if elements[last].kind == .vertex && property.countType != nil
                    && (property.role == .x || property.role == .y || property.role == .z)
                {
                    throw MeshIOError("PLY header line \(c.line): vertex coordinate '\(text(property.name))' is a list")
                }
                elements[last].properties.append(property)
            case "end_header":
                c.skipPlainLine()
                guard let encoding else { throw MeshIOError("PLY header has no 'format' line") }
                for e in elements where e.kind == .vertex {
                    for (role, axis) in [(Role.x, "x"), (Role.y, "y"), (Role.z, "z")]
                    where !e.properties.contains(where: { $0.role == role }) {
                        throw MeshIOError("PLY vertex element has no '\(axis)' property")
                    }
                }
                return Header(encoding: encoding, elements: elements, bodyStart: c.pos)
            default:
                c.pos = lineStart
                throw MeshIOError("PLY header line \(c.line): unknown keyword \(c.tokenForMessage)")
            }
            c.skipPlainLine()
        }
    }

    static func scalar(_ name: [UInt8]) -> Scalar? {
        switch name {
        case "char", "int8": return .int8
        case "uchar", "uint8": return .uint8
        case "short", "int16": return .int16
        case "ushort", "uint16": return .uint16
        case "int", "int32": return .int32
        case "uint", "uint32": return .uint32
        case "float", "float32": return .float32
        case "double", "float64": return .float64
        default: return nil
        }
    }

    static func unsupported(_ type: [UInt8], _ name: [UInt8], _ c: TextCursor) -> MeshIOError {
        MeshIOError("PLY header line \(c.line): property '\(text(name))' has unsupported type '\(text(type))'")
    }

    // MARK: Binary body

    struct BinaryBody {
        let raw: UnsafeRawBufferPointer
        let bigEndian: Bool

        @inline(__always) func double(_ type: Scalar, at o: Int) -> Double {
            switch type {
            case .int8: return Double(raw.loadUnaligned(fromByteOffset: o, as: Int8.self))
            case .uint8: return Double(raw[o])
            case .int16: return Double(Int16(bitPattern: u16(o)))
            case .uint16: return Double(u16(o))
            case .int32: return Double(Int32(bitPattern: u32(o)))
            case .uint32: return Double(u32(o))
            case .float32: return Double(Float(bitPattern: u32(o)))
            case .float64: return Double(bitPattern: u64(o))
            }
        }

        @inline(__always) func float(_ type: Scalar, at o: Int) -> Float {
            type == .float32 ? Float(bitPattern: u32(o)) : Float(double(type, at: o))
        }

        /// An integer value; floating-point values are truncated (NaN and huge values give -1).
        @inline(__always) func integer(_ type: Scalar, at o: Int) -> Int {
            switch type {
            case .int8: return Int(raw.loadUnaligned(fromByteOffset: o, as: Int8.self))
            case .uint8: return Int(raw[o])
            case .int16: return Int(Int16(bitPattern: u16(o)))
            case .uint16: return Int(u16(o))
            case .int32: return Int(Int32(bitPattern: u32(o)))
            case .uint32: return Int(exactly: u32(o)) ?? Int.max  // wasm32: beyond Int32 means out of range
            case .float32, .float64:
                let d = double(type, at: o)
                return d.isFinite && d.magnitude < Double(Int.max / 2) ? Int(d) : -1
            }
        }

        @inline(__always) func u16(_ o: Int) -> UInt16 {
            let v = raw.loadUnaligned(fromByteOffset: o, as: UInt16.self)
            return bigEndian ? UInt16(bigEndian: v) : UInt16(littleEndian: v)
        }

        @inline(__always) func u32(_ o: Int) -> UInt32 {
            let v = raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)
            return bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
        }

        @inline(__always) func u64(_ o: Int) -> UInt64 {
            let v = raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)
            return bigEndian ? UInt64(bigEndian: v) : UInt64(littleEndian: v)
        }
    }

    static func readBinaryBody(
        _ raw: UnsafeRawBufferPointer, _ header: Header, vertexCount: Int,
        positions: inout [Float], corners: inout [UInt32]
    ) throws(MeshIOError) {
        let body = BinaryBody(raw: raw, bigEndian: header.encoding == .bigEndian)
        var pos = header.bodyStart
        let end = raw.count
        for element in header.elements where element.count > 0 && !element.properties.isEmpty {
            let minimum = element.minimumSize
            let (need, overflow) = element.count.multipliedReportingOverflow(by: minimum)
            if overflow || need > end - pos {
                throw MeshIOError(
                    "PLY header declares \(ASCII.grouped(element.count)) '\(text(element.name))' elements (at least \(minimum) bytes each) but only \(ASCII.grouped(end - pos)) bytes remain (truncated file?)")
            }
            if element.kind == .vertex && element.isFixedSize {
                // The common case: a fixed record, so x, y, z sit at fixed offsets.
                var offsets = (0, 0, 0)
                var types = (Scalar.float32, Scalar.float32, Scalar.float32)
                var o = 0
                for p in element.properties {
                    if p.role == .x { offsets.0 = o; types.0 = p.type }
                    if p.role == .y { offsets.1 = o; types.1 = p.type }
                    if p.role == .z { offsets.2 = o; types.2 = p.type }
                    o += p.type.size
                }
                positions.reserveCapacity(element.count * 3)
                for v in 0..<element.count {
                    let x = body.float(types.0, at: pos + offsets.0)
                    let y = body.float(types.1, at: pos + offsets.1)
                    let z = body.float(types.2, at: pos + offsets.2)
                    if !(x.isFinite && y.isFinite && z.isFinite) { throw nonFiniteVertex(v) }
                    positions.append(x); positions.append(y); positions.append(z)
                    pos += minimum
                }
                continue
            }
            if element.kind == .vertex { positions.reserveCapacity(element.count * 3) }
            if element.kind == .face { corners.reserveCapacity(Swift.min(element.count, (end - pos) / minimum) * 3) }
            var xyz: (Float, Float, Float) = (0, 0, 0)
            for i in 0..<element.count {
                for p in element.properties {
                    guard let countType = p.countType else {
                        guard pos + p.type.size <= end else { throw truncated(element, i) }
                        switch p.role {
                        case .x: xyz.0 = body.float(p.type, at: pos)
                        case .y: xyz.1 = body.float(p.type, at: pos)
                        case .z: xyz.2 = body.float(p.type, at: pos)
                        default: break
                        }
                        pos += p.type.size
                        continue
                    }
                    guard pos + countType.size <= end else { throw truncated(element, i) }
                    let n = body.integer(countType, at: pos)
                    pos += countType.size
                    guard n >= 0 else {
                        throw MeshIOError("PLY '\(text(element.name))' \(i) (counting from 0): list '\(text(p.name))' has a negative length")
                    }
                    guard n <= (end - pos) / p.type.size else { throw truncated(element, i) }
                    if p.role == .indices {
                        var first: UInt32 = 0
                        var previous: UInt32 = 0
                        for k in 0..<n {
                            let index = body.integer(p.type, at: pos + k * p.type.size)
                            guard index >= 0 && index < vertexCount else {
                                throw indexOutOfRange(face: i, index: index, vertexCount: vertexCount)
                            }
                            let id = UInt32(truncatingIfNeeded: index)
                            if k == 0 {
                                first = id
                            } else if k >= 2 {
                                corners.append(first); corners.append(previous); corners.append(id)
                            }
                            previous = id
                        }
                    }
                    pos += n * p.type.size
                }
                if element.kind == .vertex {
                    if !(xyz.0.isFinite && xyz.1.isFinite && xyz.2.isFinite) { throw nonFiniteVertex(i) }
                    positions.append(xyz.0); positions.append(xyz.1); positions.append(xyz.2)
                }
            }
        }
    }

    // MARK: ASCII body

    static func readASCIIBody(
        _ raw: UnsafeRawBufferPointer, _ header: Header, vertexCount: Int,
        positions: inout [Float], corners: inout [UInt32]
    ) throws(MeshIOError) {
        var c = TextCursor(raw, from: header.bodyStart)
        for element in header.elements where element.count > 0 && !element.properties.isEmpty {
            // Each value takes at least two bytes (a digit and a separator).
            let (need, overflow) = element.count.multipliedReportingOverflow(by: 2 * element.properties.count)
            if overflow || need > raw.count - c.pos + 1 {
                throw MeshIOError(
                    "PLY header declares \(ASCII.grouped(element.count)) '\(text(element.name))' elements but only \(ASCII.grouped(raw.count - c.pos)) bytes remain (truncated file?)")
            }
            if element.kind == .vertex { positions.reserveCapacity(element.count * 3) }
            if element.kind == .face { corners.reserveCapacity(element.count * 3) }
            var xyz: (Float, Float, Float) = (0, 0, 0)
            for i in 0..<element.count {
                for p in element.properties {
                    guard p.countType != nil else {
                        c.skipWhitespace()
                        if c.atEnd { throw truncated(element, i) }
                        guard let v = c.float() else { throw badNumber(element, i, c) }
                        switch p.role {
                        case .x: xyz.0 = v
                        case .y: xyz.1 = v
                        case .z: xyz.2 = v
                        default: break
                        }
                        continue
                    }
                    c.skipWhitespace()
                    if c.atEnd { throw truncated(element, i) }
                    guard let n = c.integer(), n >= 0 else { throw badNumber(element, i, c) }
                    var first: UInt32 = 0
                    var previous: UInt32 = 0
                    for k in 0..<n {
                        c.skipWhitespace()
                        if c.atEnd { throw truncated(element, i) }
                        if p.role != .indices {
                            guard c.float() != nil else { throw badNumber(element, i, c) }
                            continue
                        }
                        guard let index = c.integer() else { throw badNumber(element, i, c) }
                        guard index >= 0 && index < vertexCount else {
                            throw indexOutOfRange(face: i, index: index, vertexCount: vertexCount)
                        }
                        let id = UInt32(truncatingIfNeeded: index)
                        if k == 0 {
                            first = id
                        } else if k >= 2 {
                            corners.append(first); corners.append(previous); corners.append(id)
                        }
                        previous = id
                    }
                }
                if element.kind == .vertex {
                    if !(xyz.0.isFinite && xyz.1.isFinite && xyz.2.isFinite) { throw nonFiniteVertex(i) }
                    positions.append(xyz.0); positions.append(xyz.1); positions.append(xyz.2)
                }
            }
        }
    }

    // MARK: Errors

    static func truncated(_ element: Element, _ i: Int) -> MeshIOError {
        MeshIOError(
            "PLY body ends inside '\(text(element.name))' \(ASCII.grouped(i)) of \(ASCII.grouped(element.count)) (truncated file?)")
    }

    static func badNumber(_ element: Element, _ i: Int, _ c: TextCursor) -> MeshIOError {
        MeshIOError(
            "PLY line \(c.line): expected a number in '\(text(element.name))' \(i) (counting from 0) but found \(c.tokenForMessage)")
    }

    static func nonFiniteVertex(_ v: Int) -> MeshIOError {
        MeshIOError("PLY vertex \(v) (counting from 0) has a NaN or infinite coordinate")
    }

    static func indexOutOfRange(face: Int, index: Int, vertexCount: Int) -> MeshIOError {
        MeshIOError(
            "PLY face \(face) (counting from 0): vertex index \(index) is out of range (the file has \(ASCII.grouped(vertexCount)) vertices)")
    }
}

extension TextCursor {
    /// The run of non-space bytes here (header words; at most 64 bytes).
    mutating func word() -> [UInt8] {
        let start = pos
        while pos < bytes.count && !TextCursor.isSpace(bytes[pos]) && pos - start < 64 { pos += 1 }
        return Array(bytes[start..<pos])
    }
}

/// Header words are compared as bytes, so no `String` comparison (and no Unicode tables)
/// is needed in Embedded Swift.
func ~= (pattern: StaticString, value: [UInt8]) -> Bool {
    let n = pattern.utf8CodeUnitCount
    guard value.count == n else { return false }
    let p = pattern.utf8Start
    for i in 0..<n where value[i] != p[i] { return false }
    return true
}

/// Bytes from a file as printable text for an error message.
func text(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    for b in bytes.prefix(64) { out.append(b >= 32 && b < 127 ? b : 63) }
    return String(decoding: out, as: UTF8.self)
}
