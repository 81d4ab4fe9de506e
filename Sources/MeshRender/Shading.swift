import MeshCore

/// The lighting rig: a key light from just above-left of the camera, a weak fill from
/// the right, a sky/ground ambient with Z up, and a soft specular highlight.
///
/// Lighting is a scalar level (0…`Shading.maxLevel`) per vertex or face; a 256-entry
/// palette turns levels into colours, so the rasterizer interpolates one value per sample.
/// Palette index 0 is reserved for "no surface" (background); surfaces use 1…255.
struct Shading {
    var key: Vec3
    var fill: Vec3
    var half: Vec3

    static let maxLevel: Float = 1.6
    static let levelScale: Float = 255 / maxLevel

    init(camera: Camera) {
        let toEye = -camera.forward
        key = (camera.right * -0.4 + camera.up * 0.55 + toEye * 0.8).normalized
        fill = (camera.right * 0.75 + camera.up * -0.05 + toEye * 0.55).normalized
        half = (key + toEye).normalized
    }

    /// Palette index (as a Float in 1…255) for unit normal `n` (x, y, z).
    @inline(__always)
    func level(_ nx: Float, _ ny: Float, _ nz: Float) -> Float {
        let dk = nx * key.x + ny * key.y + nz * key.z
        let df = nx * fill.x + ny * fill.y + nz * fill.z
        var sp = nx * half.x + ny * half.y + nz * half.z
        sp = sp > 0 ? sp : 0
        sp *= sp; sp *= sp; sp *= sp; sp *= sp; sp *= sp  // ^32
        var v: Float = 0.36 + 0.08 * nz
        v += 0.58 * (dk > 0 ? dk : 0)
        v += 0.24 * (df > 0 ? df : 0)
        v += 0.32 * sp
        v *= Shading.levelScale
        return v < 255 ? (v > 1 ? v : 1) : 255
    }

    /// RGB for each palette index: shadows lean cool, levels above 1 blend toward white
    /// (the highlight), so a single scalar gives diffuse and specular looks.
    static func palette(material: RGBAColor) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 256 * 3)
        let base = (Float(material.r), Float(material.g), Float(material.b))
        let shadowTint: (Float, Float, Float) = (0.92, 0.96, 1.08)
        for i in 0..<256 {
            let v = Float(i) / levelScale
            var c: (Float, Float, Float)
            if v <= 1 {
                // Cool tint fades out as light increases.
                let t = 1 - v
                c = (
                    base.0 * v * (1 + (shadowTint.0 - 1) * t),
                    base.1 * v * (1 + (shadowTint.1 - 1) * t),
                    base.2 * v * (1 + (shadowTint.2 - 1) * t)
                )
            } else {
                let t = Swift.min((v - 1) / (maxLevel - 1), 1)
                c = (base.0 + (255 - base.0) * t, base.1 + (255 - base.1) * t, base.2 + (255 - base.2) * t)
            }
            out[3 * i] = UInt8(Swift.min(Swift.max(c.0 + 0.5, 0), 255))
            out[3 * i + 1] = UInt8(Swift.min(Swift.max(c.1 + 0.5, 0), 255))
            out[3 * i + 2] = UInt8(Swift.min(Swift.max(c.2 + 0.5, 0), 255))
        }
        return out
    }
}
