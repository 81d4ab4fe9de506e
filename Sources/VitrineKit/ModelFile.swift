import Foundation
import MeshCore
import MeshIO
import ModelFormats

/// A mesh read from a file, in the file's own units (3MF is already converted to mm).
public struct LoadedModel: Sendable {
    /// The placed, welded mesh (all objects merged).
    public var mesh: TriangleMesh
    /// `stl-binary`, `stl-ascii`, `obj`, `ply` or `3mf`.
    public var format: String
    /// The unit the file declares, if its format can declare one (3MF); nil for STL/OBJ/PLY.
    public var declaredUnit: LengthUnit?
    /// Named parts for formats that keep them (3MF build items); one entry otherwise.
    public var objects: [(name: String, mesh: TriangleMesh)]
}

/// A problem reading or writing a model file; `message` is one line naming file and cause.
public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads and writes mesh files by path, choosing the format from content and extension.
public enum ModelFile {
    /// Largest file accepted; bigger inputs are refused before reading so memory stays bounded.
    public static let maxFileBytes = 2_000_000_000

    /// Reads any supported mesh file: STL (binary or ASCII), OBJ, PLY or 3MF.
    /// `welding: false` lets binary STL skip welding when only the triangles matter (rendering,
    /// case generation).
    public static func load(path: String, welding: Bool = true) throws(ModelFileError) -> LoadedModel {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.lowercased()
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? NSNumber, size.intValue > maxFileBytes {
                throw ModelFileError("file is \(size.intValue) bytes; the limit is \(maxFileBytes)")
            }
            if (attributes[.type] as? FileAttributeType) == .typeDirectory {
                throw ModelFileError("is a directory, not a mesh file")
            }
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError(describe(error))
        }
        if ext == "3mf" || isZip(data) {
            do {
                let model = try ThreeMF.read(data: data)
                return LoadedModel(mesh: model.merged, format: "3mf", declaredUnit: .millimetre, objects: model.objects)
            } catch {
                throw ModelFileError(describe(error))
            }
        }
        let result: Result<(mesh: TriangleMesh, format: MeshFormat), MeshIOError> = data.withUnsafeBytes { raw in
            do throws(MeshIOError) {
                return .success(try MeshReader.read(raw, fileExtension: ext.isEmpty ? nil : ext, welding: welding, runner: .cores))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let (mesh, format)):
            let name = url.deletingPathExtension().lastPathComponent
            return LoadedModel(mesh: mesh, format: format.name, declaredUnit: nil, objects: [(name, mesh)])
        case .failure(let error):
            throw ModelFileError(error.message)
        }
    }

    /// Writes `objects` to `path`, choosing the format from its extension
    /// (`.stl` binary, `.obj`, `.ply` binary little endian, `.3mf`).
    public static func save(_ objects: [(name: String, mesh: TriangleMesh)], to path: String, asciiSTL: Bool = false) throws(ModelFileError) {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        let bytes: Data
        switch ext {
        case "3mf":
            do { bytes = try ThreeMF.write(objects: objects) } catch { throw ModelFileError(describe(error)) }
        case "stl", "obj", "ply":
            var merged = TriangleMesh()
            for object in objects { merged.append(object.mesh) }
            let format: MeshFormat = ext == "stl" ? (asciiSTL ? .stlASCII : .stlBinary) : (ext == "obj" ? .obj : .ply)
            bytes = Data(MeshWriter.write(merged, as: format))
        default:
            throw ModelFileError("cannot write '.\(ext)': use .stl, .obj, .ply or .3mf")
        }
        do {
            try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError(describe(error))
        }
    }

    static func isZip(_ data: Data) -> Bool {
        data.count >= 4 && data[data.startIndex] == 0x50 && data[data.startIndex + 1] == 0x4B
            && data[data.startIndex + 2] == 0x03 && data[data.startIndex + 3] == 0x04
    }

    /// One readable line for Foundation and format errors (no "Error Domain=…" noise).
    static func describe(_ error: any Error) -> String {
        if let e = error as? ModelFileError { return e.message }
        if let e = error as? ThreeMFError { return e.message }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            case NSFileWriteNoPermissionError: return "cannot write: permission denied"
            default: break
            }
        }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
