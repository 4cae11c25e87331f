import Foundation

/// Deterministic pseudo-random numbers for synthetic models.
///
/// Every random quantity in a `SyntheticModel` is drawn from its own *stream*, keyed by (seed, purpose,
/// index): the hidden state of sample 17 comes from stream (seed, hidden, 17) whatever block size, thread
/// count or subset of samples is generated. That is what makes `logprob(sample:token:)` agree with the
/// rows of a written `.npy`, and a file reproducible from its seed on any machine.
///
/// Generators: SplitMix64 (Steele, Lea & Flood 2014) hashes the key into a 256-bit state, which seeds
/// xoshiro256** (Blackman & Vigna 2018) — fast, statistically strong, and trivially portable. Normals use
/// Marsaglia's polar method (exact Gaussians, no trigonometry).
public struct SyntheticRandom: Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spare: Double?

    /// Purposes of the independent streams.
    public enum Purpose: UInt64, Sendable {
        case structure = 1, unembedding = 2, hidden = 3, noise = 4, jitter = 5
    }

    /// SplitMix64's output function: a bijective 64-bit mixer.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 { SplitMix64.mix(value) }

    /// The stream for (`seed`, `purpose`, `index`).
    public init(seed: UInt64, purpose: Purpose, index: UInt64 = 0) {
        var seeder = SplitMix64(state: Self.mix(Self.mix(seed ^ (purpose.rawValue &* 0xD1B5_4A32_D192_ED03)) &+ index &* SplitMix64.increment))
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is xoshiro's only fixed point
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in the open interval (0, 1), 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// Integer uniform in `0..<bound` (bound > 0), by multiply-shift (bias below 2⁻⁶⁴·bound).
    public mutating func below(_ bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Standard normal.
    @inline(__always)
    public mutating func normal() -> Double {
        if let s = spare { spare = nil; return s }
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s < 1 && s > 0 {
                let f = (-2 * log(s) / s).squareRoot()
                spare = v * f
                return u * f
            }
        }
    }

    /// Fills `buffer` with standard normals.
    public mutating func fillNormals(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for i in buffer.indices { buffer[i] = normal() }
    }

    /// A uniformly random permutation of `0..<n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int32] {
        var p = (0..<n).map { Int32($0) }
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, below(i + 1)) }
        }
        return p
    }
}
