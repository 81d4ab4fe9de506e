/// An affine transform: `p' = M·p + t`, stored row-major as the 3×4 matrix of 3MF
/// (whose `transform` attribute lists it column-wise as m00 m01 m02 m10 … m32).
public struct Transform: Equatable, Sendable {
    /// Rows of the linear part followed by the translation in the last column.
    public var m: (Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float)

    public static func == (a: Transform, b: Transform) -> Bool {
        a.m.0 == b.m.0 && a.m.1 == b.m.1 && a.m.2 == b.m.2 && a.m.3 == b.m.3
            && a.m.4 == b.m.4 && a.m.5 == b.m.5 && a.m.6 == b.m.6 && a.m.7 == b.m.7
            && a.m.8 == b.m.8 && a.m.9 == b.m.9 && a.m.10 == b.m.10 && a.m.11 == b.m.11
    }

    /// Builds a transform from its three rows `[a b c tx]`, `[d e f ty]`, `[g h i tz]`.
    public init(rows r0: (Float, Float, Float, Float), _ r1: (Float, Float, Float, Float), _ r2: (Float, Float, Float, Float)) {
        m = (r0.0, r0.1, r0.2, r0.3, r1.0, r1.1, r1.2, r1.3, r2.0, r2.1, r2.2, r2.3)
    }

    /// The identity.
    public static let identity = Transform(rows: (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0))

    /// A uniform scale about the origin.
    public static func scale(_ s: Float) -> Transform { Transform(rows: (s, 0, 0, 0), (0, s, 0, 0), (0, 0, s, 0)) }

    /// A translation by `d`.
    public static func translation(_ d: Vec3) -> Transform { Transform(rows: (1, 0, 0, d.x), (0, 1, 0, d.y), (0, 0, 1, d.z)) }

    /// Applies the transform to a point.
    @inlinable public func apply(_ p: Vec3) -> Vec3 {
        Vec3(
            m.0 * p.x + m.1 * p.y + m.2 * p.z + m.3,
            m.4 * p.x + m.5 * p.y + m.6 * p.z + m.7,
            m.8 * p.x + m.9 * p.y + m.10 * p.z + m.11
        )
    }

    /// The transform that applies `first`, then `self`.
    public func composed(after first: Transform) -> Transform {
        let a = self.m, b = first.m
        return Transform(
            rows: (a.0 * b.0 + a.1 * b.4 + a.2 * b.8, a.0 * b.1 + a.1 * b.5 + a.2 * b.9, a.0 * b.2 + a.1 * b.6 + a.2 * b.10, a.0 * b.3 + a.1 * b.7 + a.2 * b.11 + a.3),
            (a.4 * b.0 + a.5 * b.4 + a.6 * b.8, a.4 * b.1 + a.5 * b.5 + a.6 * b.9, a.4 * b.2 + a.5 * b.6 + a.6 * b.10, a.4 * b.3 + a.5 * b.7 + a.6 * b.11 + a.7),
            (a.8 * b.0 + a.9 * b.4 + a.10 * b.8, a.8 * b.1 + a.9 * b.5 + a.10 * b.9, a.8 * b.2 + a.9 * b.6 + a.10 * b.10, a.8 * b.3 + a.9 * b.7 + a.10 * b.11 + a.11)
        )
    }

    /// Determinant of the linear part; negative means the transform mirrors, so
    /// triangle winding must be reversed to stay counter-clockwise seen from outside.
    public var determinant: Float {
        m.0 * (m.5 * m.10 - m.6 * m.9) - m.1 * (m.4 * m.10 - m.6 * m.8) + m.2 * (m.4 * m.9 - m.5 * m.8)
    }
}
