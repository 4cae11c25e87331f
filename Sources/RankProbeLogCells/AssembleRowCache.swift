/// Row of a prompt key, remembered by the key string's storage address.
///
/// The Batch join hands every record of a prompt the very same `String` (the index interns prompt keys), so
/// recognising the storage skips hashing 64 hex digits and comparing them again in `Assembler.rowIndex` for
/// every record — measured at a few percent of the delivering thread, which is the one the read waits for.
/// Each slot keeps its string alive, so an address in the cache cannot be reused by another string while it
/// is there (and a shared storage is never mutated in place): equal address means equal key. Strings of up
/// to 15 bytes live inline, not in storage, and are never cached; a miss or a collision (which overwrites
/// the slot) falls back to the dictionary.
struct RowKeyCache: Sendable {
    private static let bits = 14
    private var keys = [String](repeating: "", count: 1 << bits)
    private var addresses = [UInt](repeating: 0, count: 1 << bits)
    private var rows = [Int32](repeating: -1, count: 1 << bits)

    @inline(__always) private static func address(_ key: String) -> UInt? {
        guard key.utf8.count > 15 else { return nil }
        return key.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } ?? nil
    }

    @inline(__always) private static func slot(_ address: UInt) -> Int {
        Int(truncatingIfNeeded: (UInt64(address) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    func row(for key: String) -> Int32? {
        guard let address = Self.address(key), address != 0 else { return nil }
        let s = Self.slot(address)
        return addresses[s] == address ? rows[s] : nil
    }

    mutating func remember(_ key: String, row: Int32) {
        guard let address = Self.address(key), address != 0 else { return }
        let s = Self.slot(address)
        keys[s] = key
        addresses[s] = address
        rows[s] = row
    }
}
