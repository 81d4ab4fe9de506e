/// A point or direction in 3D space, in millimetres unless a caller says otherwise.
///
/// Single precision matches STL and the GPU; sums that need more (area, volume) are
/// accumulated in `Double` by their callers.
public struct Vec3: Equatable, Sendable {
    public var x: Float
    public var y: Float
    public var z: Float

    @inlinable
    public init(_ x: Float, _ y: Float, _ z: Float) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The origin.
    public static let zero = Vec3(0, 0, 0)

    @inlinable public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static func * (a: Vec3, s: Float) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func * (s: Float, a: Vec3) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func / (a: Vec3, s: Float) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    @inlinable public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable public static func += (a: inout Vec3, b: Vec3) { a = a + b }
    @inlinable public static func -= (a: inout Vec3, b: Vec3) { a = a - b }

    /// Dot product.
    @inlinable public func dot(_ b: Vec3) -> Float { x * b.x + y * b.y + z * b.z }

    /// Cross product (right-handed).
    @inlinable public func cross(_ b: Vec3) -> Vec3 {
        Vec3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x)
    }

    /// Euclidean length.
    @inlinable public var length: Float { dot(self).squareRoot() }

    /// This vector scaled to length 1, or zero when its length is zero.
    @inlinable public var normalized: Vec3 {
        let l = length
        return l > 0 ? self / l : .zero
    }

    /// Component-wise minimum.
    @inlinable public func min(_ b: Vec3) -> Vec3 { Vec3(Swift.min(x, b.x), Swift.min(y, b.y), Swift.min(z, b.z)) }
    /// Component-wise maximum.
    @inlinable public func max(_ b: Vec3) -> Vec3 { Vec3(Swift.max(x, b.x), Swift.max(y, b.y), Swift.max(z, b.z)) }

    /// Component by axis index 0 (x), 1 (y) or 2 (z).
    @inlinable public subscript(axis: Int) -> Float {
        get { axis == 0 ? x : (axis == 1 ? y : z) }
        set {
            if axis == 0 { x = newValue } else if axis == 1 { y = newValue } else { z = newValue }
        }
    }

    /// True when every component is finite (not NaN, not infinite).
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
}
