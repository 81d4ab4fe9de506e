import Foundation

/// A small pull scanner for the XML in 3MF parts, working directly on UTF-8 bytes.
///
/// Foundation's `XMLParser` took 320 ms on the 14 MB model of `3mfc_multipletextures.3mf`
/// (a dictionary of Strings per element); 3MF is plain element/attribute XML, so scanning
/// the bytes is enough and about ten times faster. It checks what a reader needs to trust
/// the structure (tags nest and match, attributes are quoted, nothing is cut off, no DTD)
/// and resolves namespace prefixes, so extension elements can be told apart from core ones.
/// Self-closing elements are reported as a start followed by an end.
struct XMLScanner {
    enum Event { case start, end, eof }

    /// Namespaces the 3MF reader distinguishes.
    enum Namespace: UInt8 { case none, core, production, other }

    struct Attribute {
        var nameStart: Int, nameEnd: Int
        /// Offset of `:` in the name, or -1.
        var colon: Int
        var valueStart: Int, valueEnd: Int
    }

    private struct Open {
        var nameStart: Int, nameEnd: Int
        var bindings: Int
        var namespace: Namespace
        var tagStart: Int
    }

    private struct Binding {
        var prefixStart: Int, prefixEnd: Int
        var namespace: Namespace
    }

    let base: UnsafePointer<UInt8>
    let count: Int
    /// The part being scanned, for messages.
    let part: String
    private(set) var pos = 0

    /// The current element (valid after `.start` and `.end`).
    private(set) var nameStart = 0
    private(set) var nameEnd = 0
    private(set) var localStart = 0
    private(set) var namespace = Namespace.none
    /// Offset of the current element's `<`, for line numbers.
    private(set) var tagStart = 0
    /// Attributes of the current start tag.
    private(set) var attributes: [Attribute] = []

    private var stack: [Open] = []
    private var bindings: [Binding] = []
    private var pendingEnd = false

    /// Nesting depth after the last event (the root element's children are at depth 1).
    var depth: Int { stack.count }

    init(base: UnsafePointer<UInt8>, count: Int, part: String) throws(ThreeMFError) {
        self.base = base
        self.count = count
        self.part = part
        attributes.reserveCapacity(16)
        stack.reserveCapacity(32)
        if count >= 2 && ((base[0] == 0xFE && base[1] == 0xFF) || (base[0] == 0xFF && base[1] == 0xFE)) {
            throw ThreeMFError("\(part) is UTF-16 XML; 3MF model parts must be UTF-8")
        }
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { pos = 3 }
    }

    /// Newlines are counted only when a line number is asked for, continuing from the last
    /// answer, so asking once per object or item stays linear in the document size.
    private var lineCursor = (offset: 0, line: 1)

    /// The 1-based line of byte offset `offset`.
    func line(at offset: Int) -> Int {
        let end = min(offset, count)
        var (i, n) = end >= lineCursor.offset ? lineCursor : (0, 1)
        while i < end, let hit = memchr(base + i, 10, end - i) {
            n += 1
            i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
        }
        return n
    }

    /// The line of the current tag, remembered so the next call continues from here.
    mutating func tagLine() -> Int {
        let n = line(at: tagStart)
        lineCursor = (tagStart, n)
        return n
    }

    /// "`part` line N: `message`" for the current tag.
    func error(_ message: String, at offset: Int? = nil) -> ThreeMFError {
        ThreeMFError("\(part) line \(line(at: offset ?? tagStart)): \(message)")
    }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 10 || b == 13 || b == 9 }

    /// Advances to the next start or end tag, skipping text, comments, CDATA and
    /// processing instructions.
    mutating func next() throws(ThreeMFError) -> Event {
        if pendingEnd {
            pendingEnd = false
            popElement()
            return .end
        }
        while true {
            // Text between tags is not needed; jump to the next '<'.
            guard let lt = find(60, from: pos) else {
                if let open = stack.last {
                    throw error("the XML ends before <\(text(open.nameStart, open.nameEnd))> is closed", at: open.tagStart)
                }
                pos = count
                return .eof
            }
            pos = lt + 1
            guard pos < count else { throw error("the XML ends inside a tag", at: lt) }
            let c = base[pos]
            if c == 63 {  // <? ... ?>
                try skip(past: "?>", from: pos, what: "processing instruction", start: lt)
            } else if c == 33 {  // <! ...
                if starts(with: "!--", at: pos) {
                    try skip(past: "-->", from: pos + 3, what: "comment", start: lt)
                } else if starts(with: "![CDATA[", at: pos) {
                    try skip(past: "]]>", from: pos + 8, what: "CDATA section", start: lt)
                } else {
                    // DTDs can define entities that expand without bound; 3MF forbids them.
                    throw error("DOCTYPE and other <! declarations are not allowed in 3MF", at: lt)
                }
            } else if c == 47 {  // </name>
                tagStart = lt
                let s = pos + 1
                var i = s
                while i < count && !XMLScanner.isSpace(base[i]) && base[i] != 62 { i += 1 }
                let e = i
                while i < count && XMLScanner.isSpace(base[i]) { i += 1 }
                guard i < count, base[i] == 62 else { throw error("the end tag is not closed with '>'", at: lt) }
                guard let open = stack.last else {
                    throw error("</\(text(s, e))> closes an element that was never opened", at: lt)
                }
                guard e - s == open.nameEnd - open.nameStart, memcmp(base + s, base + open.nameStart, e - s) == 0 else {
                    throw error("expected </\(text(open.nameStart, open.nameEnd))> but found </\(text(s, e))>", at: lt)
                }
                pos = i + 1
                popElement()
                return .end
            } else {
                try scanStartTag(lt)
                return .start
            }
        }
    }

    private mutating func popElement() {
        let open = stack.removeLast()
        nameStart = open.nameStart
        nameEnd = open.nameEnd
        namespace = open.namespace
        localStart = nameStart
        bindings.removeLast(bindings.count - open.bindings)
    }

    private mutating func scanStartTag(_ lt: Int) throws(ThreeMFError) {
        tagStart = lt
        var i = pos
        let s = i
        var colon = -1
        while i < count {
            let b = base[i]
            if XMLScanner.isSpace(b) || b == 62 || b == 47 { break }
            if b == 58 && colon < 0 { colon = i }
            i += 1
        }
        guard i > s else { throw error("a '<' is not followed by an element name", at: lt) }
        nameStart = s
        nameEnd = i
        localStart = colon >= 0 ? colon + 1 : s
        attributes.removeAll(keepingCapacity: true)
        let bindingCount = bindings.count
        var selfClosing = false
        while true {
            while i < count && XMLScanner.isSpace(base[i]) { i += 1 }
            guard i < count else { throw error("the XML ends inside the <\(text(s, nameEnd))> tag", at: lt) }
            let b = base[i]
            if b == 62 { i += 1; break }
            if b == 47 {
                guard i + 1 < count, base[i + 1] == 62 else { throw error("stray '/' in the <\(text(s, nameEnd))> tag", at: lt) }
                selfClosing = true
                i += 2
                break
            }
            let an = i
            var acolon = -1
            while i < count {
                let c = base[i]
                if c == 61 || XMLScanner.isSpace(c) || c == 62 || c == 47 { break }
                if c == 58 && acolon < 0 { acolon = i }
                i += 1
            }
            let ae = i
            while i < count && XMLScanner.isSpace(base[i]) { i += 1 }
            guard ae > an, i < count, base[i] == 61 else {
                throw error("attribute \(text(an, ae)) in <\(text(s, nameEnd))> has no '=value'", at: lt)
            }
            i += 1
            while i < count && XMLScanner.isSpace(base[i]) { i += 1 }
            guard i < count, base[i] == 34 || base[i] == 39 else {
                throw error("attribute \(text(an, ae)) in <\(text(s, nameEnd))> has an unquoted value", at: lt)
            }
            let quote = base[i]
            let vs = i + 1
            guard let ve = find(quote, from: vs) else {
                throw error("attribute \(text(an, ae)) in <\(text(s, nameEnd))> is never closed", at: lt)
            }
            i = ve + 1
            attributes.append(Attribute(nameStart: an, nameEnd: ae, colon: acolon, valueStart: vs, valueEnd: ve))
            // xmlns and xmlns:prefix declare namespaces for this element and its children.
            if ae - an >= 5 && base[an] == 120 && starts(with: "xmlns", at: an) {
                if ae - an == 5 {
                    bindings.append(Binding(prefixStart: an, prefixEnd: an, namespace: XMLScanner.classify(base + vs, ve - vs)))
                } else if acolon == an + 5 {
                    bindings.append(Binding(prefixStart: acolon + 1, prefixEnd: ae, namespace: XMLScanner.classify(base + vs, ve - vs)))
                }
            }
        }
        pos = i
        namespace = resolve(prefixStart: s, prefixEnd: colon >= 0 ? colon : s, isElement: true)
        stack.append(Open(nameStart: s, nameEnd: nameEnd, bindings: bindingCount, namespace: namespace, tagStart: lt))
        pendingEnd = selfClosing
    }

    /// The namespace a prefix (empty range: the default namespace) is bound to. An element
    /// with no prefix and no default namespace counts as core, since some writers omit xmlns.
    private func resolve(prefixStart: Int, prefixEnd: Int, isElement: Bool) -> Namespace {
        let length = prefixEnd - prefixStart
        var k = bindings.count - 1
        while k >= 0 {
            let b = bindings[k]
            if b.prefixEnd - b.prefixStart == length
                && (length == 0 || memcmp(base + b.prefixStart, base + prefixStart, length) == 0)
            {
                return b.namespace
            }
            k -= 1
        }
        return length == 0 && isElement ? .core : .other
    }

    /// The namespace of an attribute's prefix (`.none` for unprefixed attributes).
    func namespace(of a: Attribute) -> Namespace {
        a.colon < 0 ? .none : resolve(prefixStart: a.nameStart, prefixEnd: a.colon, isElement: false)
    }

    private static func classify(_ p: UnsafePointer<UInt8>, _ n: Int) -> Namespace {
        if equals(p, n, "http://schemas.microsoft.com/3dmanufacturing/core/2015/02") { return .core }
        if equals(p, n, "http://schemas.microsoft.com/3dmanufacturing/production/2015/06") { return .production }
        return n == 0 ? .none : .other
    }

    /// True when the current element's local name (after any prefix) is `name`.
    @inline(__always) func localNameIs(_ name: StaticString) -> Bool {
        XMLScanner.equals(base + localStart, nameEnd - localStart, name)
    }

    /// True when the attribute's local name is `name`.
    @inline(__always) func attribute(_ a: Attribute, is name: StaticString) -> Bool {
        let s = a.colon >= 0 ? a.colon + 1 : a.nameStart
        return XMLScanner.equals(base + s, a.nameEnd - s, name)
    }

    @inline(__always) static func equals(_ p: UnsafePointer<UInt8>, _ n: Int, _ s: StaticString) -> Bool {
        n == s.utf8CodeUnitCount && memcmp(p, s.utf8Start, n) == 0
    }

    /// The attribute's value with the five predefined entities and character references decoded.
    func string(_ a: Attribute) -> String { XMLScanner.decode(base, a.valueStart, a.valueEnd) }

    /// The raw value bytes of an attribute.
    func value(_ a: Attribute) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + a.valueStart, count: a.valueEnd - a.valueStart)
    }

    /// The qualified name of the current element.
    var name: String { text(nameStart, nameEnd) }

    func text(_ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + s, count: max(0, e - s)), as: UTF8.self)
    }

    static func decode(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var i = s
        while i < e {
            let b = base[i]
            if b == 38, let semi = (i + 1..<min(e, i + 12)).first(where: { base[$0] == 59 }) {
                let entity = UnsafeBufferPointer(start: base + i + 1, count: semi - i - 1)
                var scalar: UInt32? = nil
                if entity.elementsEqual("amp".utf8) { scalar = 38 }
                else if entity.elementsEqual("lt".utf8) { scalar = 60 }
                else if entity.elementsEqual("gt".utf8) { scalar = 62 }
                else if entity.elementsEqual("quot".utf8) { scalar = 34 }
                else if entity.elementsEqual("apos".utf8) { scalar = 39 }
                else if entity.first == 35 {
                    let digits = String(decoding: entity.dropFirst(), as: UTF8.self)
                    scalar = digits.first == "x" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                }
                if let v = scalar, let u = Unicode.Scalar(v) {
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                    i = semi + 1
                    continue
                }
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func find(_ byte: UInt8, from start: Int) -> Int? {
        guard start < count, let hit = memchr(base + start, Int32(byte), count - start) else { return nil }
        return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
    }

    private func starts(with s: StaticString, at offset: Int) -> Bool {
        offset + s.utf8CodeUnitCount <= count && memcmp(base + offset, s.utf8Start, s.utf8CodeUnitCount) == 0
    }

    private mutating func skip(past terminator: StaticString, from start: Int, what: String, start lt: Int) throws(ThreeMFError) {
        var i = start
        let first = terminator.utf8Start[0]
        while let hit = find(first, from: i) {
            if starts(with: terminator, at: hit) {
                pos = hit + terminator.utf8CodeUnitCount
                return
            }
            i = hit + 1
        }
        throw error("the XML ends inside a \(what)", at: lt)
    }
}
