/// An axis-aligned bounding box, in the mesh's units (millimetres after scaling).
///
/// An empty box has `min > max`; `including` grows it.
public struct Bounds: Equatable, Sendable {
    public var min: Vec3
    public var max: Vec3

    @inlinable
    public init(min: Vec3, max: Vec3) {
        self.min = min
        self.max = max
    }

    /// The box that contains nothing; the identity for `including` and `union`.
    public static let empty = Bounds(
        min: Vec3(.infinity, .infinity, .infinity),
        max: Vec3(-.infinity, -.infinity, -.infinity)
    )

    /// True when the box contains no point.
    @inlinable public var isEmpty: Bool { min.x > max.x || min.y > max.y || min.z > max.z }

    /// Edge lengths along x, y, z (zero for an empty box).
    @inlinable public var size: Vec3 { isEmpty ? .zero : max - min }

    /// The centre point.
    @inlinable public var center: Vec3 { (min + max) * 0.5 }

    /// The longest edge length.
    @inlinable public var largestDimension: Float {
        let s = size
        return Swift.max(s.x, Swift.max(s.y, s.z))
    }

    /// This box grown to contain `p`.
    @inlinable public func including(_ p: Vec3) -> Bounds { Bounds(min: min.min(p), max: max.max(p)) }

    /// The smallest box containing both.
    @inlinable public func union(_ other: Bounds) -> Bounds {
        Bounds(min: min.min(other.min), max: max.max(other.max))
    }
}
