/// An 8-bit-per-channel colour with straight (not premultiplied) alpha.
public struct RGBAColor: Equatable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    @inlinable
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// Fully transparent black.
    public static let transparent = RGBAColor(0, 0, 0, 0)
    /// The default background: a very light cool grey.
    public static let lightBackground = RGBAColor(242, 243, 246)
    /// The default material: a light clay grey with a touch of blue.
    public static let clay = RGBAColor(184, 192, 206)
}

/// An RGBA8 raster image: `pixels` holds `width * height * 4` bytes, row-major,
/// top row first, each pixel R, G, B, A with straight alpha.
public struct RGBAImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    /// An image from raw pixels; `pixels.count` must be `width * height * 4`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 4, "RGBAImage pixel count")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one colour.
    public init(width: Int, height: Int, fill: RGBAColor) {
        let w = Swift.max(width, 0), h = Swift.max(height, 0)
        var px = [UInt8](repeating: 0, count: w * h * 4)
        var i = 0
        while i < px.count {
            px[i] = fill.r; px[i + 1] = fill.g; px[i + 2] = fill.b; px[i + 3] = fill.a
            i += 4
        }
        self.init(width: w, height: h, pixels: px)
    }

    /// The colour at column `x`, row `y` (0, 0 is top left); nil outside the image.
    public func pixel(_ x: Int, _ y: Int) -> RGBAColor? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 4
        return RGBAColor(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }
}
