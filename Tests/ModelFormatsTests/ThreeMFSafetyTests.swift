import Foundation
import MeshCore
import Testing
import ZIPFoundation

@testable import ModelFormats

@Suite struct ThreeMFSafetyTests {
    typealias F = ThreeMFFixtures

    static let goodModel = F.model(
        "<resources>\(F.tetrahedron(id: 1))</resources><build><item objectid=\"1\"/></build>")

    /// A 3MF whose model part is `megabytes` MB of spaces inside a valid document,
    /// deflated (about 1000:1) without ever holding the spaces in memory.
    static func bomb(megabytes: Int) throws -> Data {
        let head = Array(goodModel.utf8.dropLast("</model>".utf8.count))
        let tail = Array("</model>".utf8)
        let total = head.count + megabytes << 20 + tail.count
        let archive = try Archive(accessMode: .create)
        try archive.addEntry(with: "_rels/.rels", type: .file, uncompressedSize: Int64(ThreeMF.relationships.utf8.count),
                             compressionMethod: .deflate) { p, n in Data(Array(ThreeMF.relationships.utf8)[Int(p)..<Int(p) + n]) }
        try archive.addEntry(
            with: "3D/3dmodel.model", type: .file, uncompressedSize: Int64(total), compressionMethod: .deflate,
            bufferSize: 1 << 20
        ) { position, size in
            var chunk = Data(repeating: 32, count: size)
            let start = Int(position), end = start + size
            if start < head.count { for k in start..<min(end, head.count) { chunk[k - start] = head[k] } }
            let tailStart = total - tail.count
            if end > tailStart { for k in max(start, tailStart)..<end { chunk[k - start] = tail[k - tailStart] } }
            return chunk
        }
        return archive.data!
    }

    @Test func goodModelReads() throws {
        let model = try ThreeMF.read(data: F.package(model: Self.goodModel))
        #expect(model.placedTriangles == 4)
        #expect(model.objects[0].name == "tet 1")
    }

    @Test func notAZip() {
        #expect(F.failure(Data("solid cube\nfacet normal 0 0 1\n".utf8)) == "not a 3MF file: not a ZIP archive")
        #expect(F.failure(Data()) == "not a 3MF file: not a ZIP archive")
    }

    @Test func truncatedZipIsNotAZip() throws {
        let data = try F.package(model: Self.goodModel)
        #expect(F.failure(data.prefix(data.count - 30)) == "not a 3MF file: not a ZIP archive")
    }

    @Test func zipWithoutModelPart() throws {
        let data = try F.zip([("readme.txt", Array("hello".utf8)), ("_rels/.rels", Array(ThreeMF.relationships.utf8))])
        #expect(F.failure(data) == "3MF has no 3D model part")
    }

    @Test func modelPartFoundThroughRelationshipsOrByDefaultName() throws {
        let rels = """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Target="/3D/Other.model" Id="r" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>
            </Relationships>
            """
        let viaRels = try F.zip([("_rels/.rels", Array(rels.utf8)), ("3D/other.model", Array(Self.goodModel.utf8))])
        #expect(try ThreeMF.read(data: viaRels).placedTriangles == 4)
        let noRels = try F.zip([("3D/3dmodel.model", Array(Self.goodModel.utf8))], stored: true)
        #expect(try ThreeMF.read(data: noRels).placedTriangles == 4)
    }

    @Test func declaredSizePastTheCapIsRefusedBeforeInflating() throws {
        let data = try Self.bomb(megabytes: 200)
        #expect(data.count < 1 << 20)
        let limits = ThreeMFLimits(maxPartBytes: 4 << 20, maxTotalBytes: 4 << 20)
        let message = try #require(F.failure(data, limits: limits))
        #expect(message.contains("would expand to 209,715,"))
        #expect(message.contains("more than the limit of 4,194,304 bytes"))
    }

    @Test func highlyCompressiblePartIsRefusedByRatio() throws {
        let data = try Self.bomb(megabytes: 200)
        let message = try #require(F.failure(data))
        #expect(message.contains("more than the 200:1 a model can plausibly compress"))
    }

    @Test func lyingSizeIsCaughtWhileInflating() throws {
        // The headers claim 2,000 bytes; the data inflates to 200 MB. The running count stops
        // it at the cap (here 4 MiB), whatever the header said.
        let data = F.patchingSizes(of: "3D/3dmodel.model", in: try Self.bomb(megabytes: 200), uncompressed: 2000)
        let limits = ThreeMFLimits(maxPartBytes: 4 << 20, maxTotalBytes: 4 << 20)
        let message = try #require(F.failure(data, limits: limits))
        #expect(message.contains("expands past the limit of 4,194,304 bytes (the archive declared 2,000 bytes)"))
        // With the default cap, the ratio check stops it at 200:1 of its compressed size.
        let byRatio = try #require(F.failure(data, limits: ThreeMFLimits(ratioCheckFloor: 1 << 20)))
        #expect(byRatio.contains("expands more than 200:1"))
    }

    @Test func sizeSmallerThanTheDataIsDamage() throws {
        let data = F.patchingSizes(of: "3D/3dmodel.model", in: try F.package(model: Self.goodModel), uncompressed: 100)
        let message = try #require(F.failure(data))
        #expect(message.contains("declares 100 bytes but it holds"))
    }

    @Test func cutShortDeflateStreamIsAnErrorNotAHang() throws {
        let good = try F.package(model: Self.goodModel)
        let data = F.patchingSizes(of: "3D/3dmodel.model", in: good, compressed: 20)
        let message = try #require(F.failure(data))
        #expect(message.contains("3D/3dmodel.model is truncated"))
    }

    @Test func deflateStreamRunningPastTheFileIsAnErrorNotAHang() throws {
        // The entry's data starts with a stored deflate block claiming 65,535 bytes, more than
        // the file holds. ZIPFoundation 0.9.20's Linux extract loops forever on this; the
        // reader gives zlib only the entry's bytes and stops.
        var bytes = [UInt8](try F.zip([("3D/3dmodel.model", Array(repeating: 65, count: 5000))]))
        let data = 30 + (Int(bytes[26]) | Int(bytes[27]) << 8) + (Int(bytes[28]) | Int(bytes[29]) << 8)
        bytes.replaceSubrange(data..<data + 5, with: [0x00, 0xFF, 0xFF, 0x00, 0x00])
        let message = try #require(F.failure(Data(bytes)))
        #expect(message == "3MF part 3D/3dmodel.model is truncated: its compressed data ends before the deflate stream does")
    }

    @Test func malformedXMLGivesTheLine() throws {
        let broken = """
            <?xml version="1.0"?>
            <model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">
             <resources>
              <object id="1"><mesh><vertices>
               <vertex x="0" y="0" z="0">
              </vertices></mesh></object>
             </resources>
            </model>
            """
        let message = try #require(F.failure(F.package(model: broken)))
        #expect(message == "3D/3dmodel.model line 6: expected </vertex> but found </vertices>")

        let cut = try #require(F.failure(F.package(model: String(Self.goodModel.prefix(300)))))
        #expect(cut.contains("line "))
        let unquoted = try #require(F.failure(F.package(model: F.model("<resources><object id=1/></resources>"))))
        #expect(unquoted.contains("line 3: attribute id in <object> has an unquoted value"))
        let doctype = try #require(F.failure(F.package(model: "<!DOCTYPE model [<!ENTITY a \"aaaa\">]>\n<model/>")))
        #expect(doctype.contains("DOCTYPE"))
    }

    @Test func triangleIndexOutOfRangeNamesObjectAndIndex() throws {
        let body = """
            <resources><object id="5"><mesh><vertices>
             <vertex x="0" y="0" z="0"/><vertex x="1" y="0" z="0"/><vertex x="0" y="1" z="0"/>
            </vertices><triangles>
             <triangle v1="0" v2="1" v3="2"/>
             <triangle v1="0" v2="1" v3="7"/>
            </triangles></mesh></object></resources><build><item objectid="5"/></build>
            """
        let message = try #require(F.failure(F.package(model: F.model(body))))
        #expect(message == "3D/3dmodel.model line 7: triangle 1 of object 5 refers to vertex 7, but the object has 3 vertices")
        let negative = try #require(F.failure(F.package(model: F.model(body.replacingOccurrences(of: "\"7\"", with: "\"-1\"")))))
        #expect(negative.contains("v3=\"-1\", which is not a vertex index"))
    }

    @Test func nonFiniteCoordinatesAreRejected() throws {
        for bad in ["NaN", "INF", "-inf", "1e39"] {
            let body = """
                <resources><object id="2"><mesh><vertices>
                 <vertex x="0" y="\(bad)" z="0"/>
                </vertices></mesh></object></resources><build/>
                """
            let message = try #require(F.failure(F.package(model: F.model(body))), "\(bad)")
            #expect(message.contains("line 4: vertex 0 of object 2 has"), "\(bad)")
            #expect(message.contains("y=\"\(bad)\""), "\(bad)")
        }
        let transform = F.model(
            "<resources>\(F.tetrahedron(id: 1))</resources><build><item objectid=\"1\" transform=\"1 0 0 0 1 0 0 0 1 nan 0 0\"/></build>")
        #expect(F.failure(try F.package(model: transform))?.contains("non-finite") == true)
    }

    @Test func componentCyclesAndMissingObjectsAreErrors() throws {
        let cycle = F.model(
            """
            <resources>
             <object id="1"><components><component objectid="2"/></components></object>
             <object id="2"><components><component objectid="1"/></components></object>
            </resources><build><item objectid="1"/></build>
            """)
        #expect(F.failure(try F.package(model: cycle))?.contains("contains itself through its components") == true)
        let missing = F.model(
            """
            <resources><object id="1"><components><component objectid="3"/></components></object></resources>
            <build><item objectid="1"/></build>
            """)
        #expect(
            F.failure(try F.package(model: missing))
                == "3D/3dmodel.model line 3: component of object 1 refers to object 3, which the model does not define")
    }

    @Test func multiplyingComponentGraphIsRefused() throws {
        // Each level holds the previous one 10 times: 4·10^9 triangles from a few hundred bytes.
        var body = "<resources>\(F.tetrahedron(id: 1))"
        for level in 2...10 {
            body += "<object id=\"\(level)\"><components>"
            body += String(repeating: "<component objectid=\"\(level - 1)\"/>", count: 10)
            body += "</components></object>"
        }
        body += "</resources><build><item objectid=\"10\"/></build>"
        let message = try #require(F.failure(try F.package(model: F.model(body))))
        #expect(message.contains("more than 200,000,000 triangles"))
    }

    @Test func unknownUnitIsAnError() throws {
        let message = F.failure(try F.package(model: F.model("<resources/><build/>", unit: "furlong")))
        #expect(message?.contains("unknown unit \"furlong\"") == true)
    }
}

@Suite struct ThreeMFDamageTests {
    /// Every truncation and many single-byte corruptions of a real package either read or
    /// throw; none may crash or hang.
    @Test func damagedPackagesFailCleanly() throws {
        let good = [UInt8](try ThreeMFFixtures.sample("3mf/3mfc_MUSTPASS_Components.3mf"))
        var failures = 0
        for length in stride(from: 0, to: good.count, by: 7) {
            if ThreeMFFixtures.failure(Data(good[0..<length])) != nil { failures += 1 }
        }
        for position in stride(from: 0, to: good.count, by: 3) {
            for value: UInt8 in [0x00, 0xFF, good[position] ^ 0x10] {
                var bad = good
                bad[position] = value
                if ThreeMFFixtures.failure(Data(bad)) != nil { failures += 1 }
            }
        }
        // Cutting a ZIP anywhere loses its directory, so every truncation must fail.
        #expect(failures >= good.count / 7)
    }
}
