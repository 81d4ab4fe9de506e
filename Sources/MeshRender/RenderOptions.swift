import MeshCore

/// Where the camera looks from. Mesh files for tabletop minis have Z up and face -Y.
public enum RenderView: Sendable, Equatable, CaseIterable {
    /// From the front-right, above (the default thumbnail view).
    case iso
    /// From -Y looking toward +Y, Z up.
    case front
    /// From +X looking toward -X, Z up.
    case side
    /// From +Z looking down, +Y up in the image.
    case top

    /// The view's command-line name: `iso`, `front`, `side` or `top`.
    public var name: String {
        switch self {
        case .iso: return "iso"
        case .front: return "front"
        case .side: return "side"
        case .top: return "top"
        }
    }

    /// Parses a command-line name (case-insensitive); nil when unknown.
    public init?(name: String) {
        switch ASCII.lowercased(name) {
        case "iso": self = .iso
        case "front": self = .front
        case "side", "right": self = .side
        case "top": self = .top
        default: return nil
        }
    }
}

/// How `MeshRenderer` draws a mesh.
public struct RenderOptions: Sendable, Equatable {
    /// Output width in pixels (clamped to 1…16384).
    public var width: Int = 512
    /// Output height in pixels (clamped to 1…16384).
    public var height: Int = 512
    /// Camera direction.
    public var view: RenderView = .iso
    /// Orthographic projection instead of a mild (30° field of view) perspective.
    public var orthographic: Bool = false
    /// Colour of pixels the model does not cover; may be transparent.
    public var background: RGBAColor = .lightBackground
    /// Base colour of the model's surface (its alpha is ignored).
    public var material: RGBAColor = .clay
    /// 2×2 supersampling for smooth edges; nil means on when both sides are ≤ 1024 px.
    public var supersample: Bool? = nil
    /// Empty border kept around the model, as a fraction of the image size per side.
    public var margin: Float = 0.05

    /// Options with the defaults (512×512, iso, perspective, light background).
    public init(
        width: Int = 512, height: Int = 512, view: RenderView = .iso, orthographic: Bool = false,
        background: RGBAColor = .lightBackground, material: RGBAColor = .clay, supersample: Bool? = nil,
        margin: Float = 0.05
    ) {
        self.width = width
        self.height = height
        self.view = view
        self.orthographic = orthographic
        self.background = background
        self.material = material
        self.supersample = supersample
        self.margin = margin
    }
}
