/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit counter stepped by the golden-ratio increment and passed
/// through a bijective mixer. The project's one implementation: it seeds `SyntheticRandom`'s xoshiro state,
/// drives the log writer's choices, and the tests' small generators wrap it.
///
/// Not for statistics that need long periods or many streams from one seed (that is `SyntheticRandom`):
/// its virtue is that the whole state is one integer, so a stream is fixed by the seed alone.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The Weyl increment, ⌊2⁶⁴/φ⌋ (odd, so the counter visits every value).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    /// The output function: a bijective 64-bit mixer (a good hash of one integer on its own).
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }
}
