import Foundation

/// An exactly orthogonal, well-mixing random `n × n` matrix applied in O(n log n) without storing it.
///
/// Why not a Haar-random orthogonal matrix: drawing one needs a QR or eigen-decomposition of an n × n
/// Gaussian matrix — about a minute for n = 4096 — and applying it costs n² per vector. A Gaussian matrix
/// used directly is cheap but not orthogonal: its smallest singular values approach zero, which would
/// plant spurious tiny directions right at the cliff the detector must find.
///
/// This is a random butterfly network instead: `2⌈log₂ n⌉ + 2` rounds, each a random permutation followed
/// by Givens rotations with uniform random angles on consecutive pairs. Every round is orthogonal, so the
/// product is too (exactly, up to rounding), and after log₂ n rounds every output coordinate depends on
/// every input — enough to rotate power-law spectra away from the coordinate axes, which is all the
/// synthetic model needs from it.
public struct RandomRotation: Sendable {
    public let dimension: Int
    private let permutations: [[Int32]]
    private let cosines: [[Double]]
    private let sines: [[Double]]

    public init(dimension n: Int, random: inout SyntheticRandom) {
        precondition(n >= 1)
        dimension = n
        var log2n = 0
        while (1 << log2n) < n { log2n += 1 }
        let rounds = 2 * log2n + 2
        var p: [[Int32]] = [], c: [[Double]] = [], s: [[Double]] = []
        for _ in 0..<rounds {
            p.append(random.permutation(n))
            var cr = [Double](repeating: 1, count: n / 2), sr = [Double](repeating: 0, count: n / 2)
            for k in 0..<(n / 2) {
                let angle = 2 * Double.pi * random.uniform()
                cr[k] = cos(angle); sr[k] = sin(angle)
            }
            c.append(cr); s.append(sr)
        }
        permutations = p; cosines = c; sines = s
    }

    /// `x ← Q x`. `scratch` must hold `dimension` doubles.
    public func apply(_ x: UnsafeMutablePointer<Double>, scratch y: UnsafeMutablePointer<Double>) {
        let n = dimension
        for r in permutations.indices {
            permutations[r].withUnsafeBufferPointer { perm in
                for j in 0..<n { y[j] = x[Int(perm[j])] }
            }
            cosines[r].withUnsafeBufferPointer { c in
                sines[r].withUnsafeBufferPointer { s in
                    for k in 0..<(n / 2) {
                        let a = y[2 * k], b = y[2 * k + 1]
                        x[2 * k] = c[k] * a - s[k] * b
                        x[2 * k + 1] = s[k] * a + c[k] * b
                    }
                }
            }
            if n % 2 == 1 { x[n - 1] = y[n - 1] }
        }
    }

    /// `x ← Qᵀ x` (the inverse of `apply`).
    public func applyTranspose(_ x: UnsafeMutablePointer<Double>, scratch y: UnsafeMutablePointer<Double>) {
        let n = dimension
        for r in permutations.indices.reversed() {
            cosines[r].withUnsafeBufferPointer { c in
                sines[r].withUnsafeBufferPointer { s in
                    for k in 0..<(n / 2) {
                        let a = x[2 * k], b = x[2 * k + 1]
                        y[2 * k] = c[k] * a + s[k] * b
                        y[2 * k + 1] = -s[k] * a + c[k] * b
                    }
                }
            }
            if n % 2 == 1 { y[n - 1] = x[n - 1] }
            permutations[r].withUnsafeBufferPointer { perm in
                for j in 0..<n { x[Int(perm[j])] = y[j] }
            }
        }
    }
}
