/// Chooses the parting plane y = p that leaves the least empty space in the two cavities.
///
/// Each half's cavity sweeps the mini from the plane outwards, so a column whose mini
/// extent [lo, hi] lies wholly on one side of p gets an empty gap of lo − p (or p − hi)
/// between the plane and the mini. The total gap volume is convex and piecewise linear in p;
/// it is evaluated exactly at 1024 evenly spaced planes from bucketed sums, and the middle
/// of the flattest minimum is taken (so a mini symmetric about a plane is split on it).
enum PartingPlane {
    static func choose(lo: [Float], hi: [Float], ymin: Float, ymax: Float) -> Float {
        let bins = 1024
        let span = ymax - ymin
        if !(span > 0) { return ymin }
        var countLo = [Double](repeating: 0, count: bins), sumLo = [Double](repeating: 0, count: bins)
        var countHi = [Double](repeating: 0, count: bins), sumHi = [Double](repeating: 0, count: bins)
        let scale = Float(bins) / span
        for c in lo.indices where lo[c] <= hi[c] {
            let bl = min(bins - 1, max(0, Int((lo[c] - ymin) * scale)))
            let bh = min(bins - 1, max(0, Int((hi[c] - ymin) * scale)))
            countLo[bl] += 1; sumLo[bl] += Double(lo[c])
            countHi[bh] += 1; sumHi[bh] += Double(hi[c])
        }
        // gap(e_j) = Σ_{lo in bins ≥ j} (lo − e_j) + Σ_{hi in bins < j} (e_j − hi)
        var aboveCount = countLo.reduce(0, +), aboveSum = sumLo.reduce(0, +)
        var belowCount = 0.0, belowSum = 0.0
        var gaps = [Double](repeating: 0, count: bins + 1)
        for j in 0...bins {
            let e = Double(ymin) + Double(span) * Double(j) / Double(bins)
            gaps[j] = (aboveSum - aboveCount * e) + (belowCount * e - belowSum)
            if j < bins {
                aboveCount -= countLo[j]; aboveSum -= sumLo[j]
                belowCount += countHi[j]; belowSum += sumHi[j]
            }
        }
        let best = gaps.min() ?? 0
        let tolerance = max(1e-9, abs(best) * 1e-6) + 1e-6 * Double(lo.count) * Double(span)
        var first = -1, last = -1
        for j in 0...bins where gaps[j] <= best + tolerance {
            if first < 0 { first = j }
            last = j
        }
        let j = (first + last) / 2
        return ymin + span * Float(j) / Float(bins)
    }
}
