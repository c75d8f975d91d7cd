#if !hasFeature(Embedded)
import CSodium
import Synchronization

/// Guarded memory for the small secrets made and dropped on every request (a record's data key,
/// an opened record), reused instead of mapped and unmapped each time.
///
/// Each slot is one `sodium_malloc` region (guard pages around it, locked in memory); a released
/// slot is wiped with `sodium_memzero` before it is kept for the next secret, and beyond `kept`
/// free slots it is given back with `sodium_free`. `sodium_malloc` and `sodium_free` cost seven
/// system calls and a TLB shootdown across the process's threads: about 12 % of a submission's CPU
/// (issue 28). The web page's WebAssembly (Embedded Swift, one thread) allocates as before.
enum SecretSlots {
    /// The bytes a slot holds: a region of one 4 KiB page with libsodium's 16-byte canary.
    static let capacity = 4_080
    /// Free slots kept for reuse; more are freed.
    static let kept = 64

    private struct Slot: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
    }

    private static let free = Mutex<[Slot]>([])

    /// A wiped slot for a secret of `count` bytes, or nil if it does not fit one (or none can be mapped).
    static func take(count: Int) -> UnsafeMutableRawPointer? {
        guard count <= capacity else { return nil }
        if let slot = free.withLock({ $0.popLast() }) { return slot.base }
        return sodium_malloc(capacity)
    }

    /// Wipes a slot from `take` and keeps it for the next secret (or frees it when enough are kept).
    static func give(_ base: UnsafeMutableRawPointer) {
        sodium_memzero(base, capacity)
        let keep = free.withLock { slots in
            guard slots.count < kept else { return false }
            slots.append(Slot(base: base))
            return true
        }
        if !keep { sodium_free(base) }
    }
}
#endif
