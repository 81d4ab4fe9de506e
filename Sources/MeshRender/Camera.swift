import MeshCore

/// A camera looking at a bounding sphere from one of the `RenderView` directions.
struct Camera {
    /// Image-plane axes and viewing direction (unit vectors, world space).
    var right: Vec3
    var up: Vec3
    var forward: Vec3
    var eye: Vec3
    var distance: Float
    var perspective: Bool

    /// sin(15°): half of the 30° field of view used for perspective renders.
    static let sinHalfFov: Float = 0.258_819

    init(view: RenderView, center: Vec3, radius: Float, perspective: Bool) {
        let toEye: Vec3
        var upHint = Vec3(0, 0, 1)
        switch view {
        case .iso: toEye = Vec3(1, -1.15, 0.85).normalized
        case .front: toEye = Vec3(0, -1, 0)
        case .side: toEye = Vec3(1, 0, 0)
        case .top:
            toEye = Vec3(0, 0, 1)
            upHint = Vec3(0, 1, 0)
        }
        forward = -toEye
        right = forward.cross(upHint).normalized
        up = right.cross(forward)
        // Far enough that the whole bounding sphere sits inside the field of view,
        // so no vertex comes near the eye and no clipping is needed.
        distance = radius / Camera.sinHalfFov * 1.02
        eye = center + toEye * distance
        self.perspective = perspective
    }
}
