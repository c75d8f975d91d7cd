import CSodium

/// Secret bytes in guarded memory from `sodium_malloc`, wiped when released (and the memory freed,
/// or, for a small secret, kept for the next one: `SecretSlots`).
///
/// The bytes are reachable only inside `withUnsafeBytes`, so that no copy escapes by accident.
/// Equality is constant-time (`sodium_memcmp`). The memory is written only while the value is
/// being created, which is why sharing it between tasks is safe.
package final class SecretBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawPointer
    /// The region `pointer` lies in: its own `sodium_malloc` allocation, or a reused slot.
    private let region: Region
    /// The number of secret bytes.
    package let count: Int

    private enum Region {
        case allocated
        #if !hasFeature(Embedded)
        /// A `SecretSlots` slot starting at `base`; the bytes sit at its end, beside the guard page.
        case slot(base: UnsafeMutableRawPointer)
        #endif
    }

    /// Allocates `count` zeroed bytes and lets `initializer` fill them.
    package init(
        count: Int,
        initializer: (UnsafeMutableRawBufferPointer) throws(CryptoError) -> Void
    ) throws(CryptoError) {
        try Sodium.ensureInitialized()
        precondition(count >= 0, "negative secret size")
        // An empty secret still owns one byte, so the pointer is never null.
        let size = max(count, 1)
        guard let (pointer, region) = Self.allocate(size) else {
            throw CryptoError(.allocationFailed, "could not allocate \(count) bytes of guarded memory")
        }
        sodium_memzero(pointer, size)
        // Fill before the object exists: once it does, its deinit releases the region, so releasing
        // it here as well after a throw would be a double free.
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        } catch {
            Self.release(pointer, region)
            throw error
        }
        self.pointer = pointer
        self.region = region
        self.count = count
    }

    /// Copies `bytes` into guarded memory. Callers should wipe their own copy where they can.
    package convenience init<Bytes: Collection>(copying bytes: Bytes) throws(CryptoError) where Bytes.Element == UInt8 {
        try self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// `count` bytes from libsodium's CSPRNG.
    package static func random(count: Int) throws(CryptoError) -> SecretBytes {
        try SecretBytes(count: count) { buffer in
            if let base = buffer.baseAddress { randombytes_buf(base, buffer.count) }
        }
    }

    deinit {
        Self.release(pointer, region)
    }

    /// Guarded memory for `size` bytes: a reused slot where one fits, else its own `sodium_malloc`.
    private static func allocate(_ size: Int) -> (UnsafeMutableRawPointer, Region)? {
        #if !hasFeature(Embedded)
        if let base = SecretSlots.take(count: size) {
            return (base + (SecretSlots.capacity - size), .slot(base: base))
        }
        #endif
        return sodium_malloc(size).map { ($0, .allocated) }
    }

    /// Wipes and releases a region: `sodium_free` wipes before unmapping; a slot is wiped whole
    /// before it is kept or freed.
    private static func release(_ pointer: UnsafeMutableRawPointer, _ region: Region) {
        switch region {
        case .allocated:
            sodium_free(pointer)
        #if !hasFeature(Embedded)
        case .slot(let base):
            SecretSlots.give(base)
        #endif
        }
    }

    /// Calls `body` with a pointer to the bytes, never null (an empty secret still owns one byte).
    func withUnsafePointer<Result, Failure: Error>(_ body: (UnsafePointer<UInt8>) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(UnsafePointer(pointer.assumingMemoryBound(to: UInt8.self)))
    }

    /// Calls `body` with a read-only view of the secret bytes; the view must not escape.
    package func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

extension SecretBytes {
    /// Overwrites an ordinary buffer that briefly held secret bytes (for example the canonical
    /// payload before it is copied into guarded memory). It cannot reach copies the runtime made.
    package static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { sodium_memzero(base, buffer.count) }
        }
    }
}

extension SecretBytes: Equatable {
    /// Constant-time comparison of contents; lengths are not secret.
    package static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count == 0 { return true }
        return sodium_memcmp(lhs.pointer, rhs.pointer, lhs.count) == 0
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never the bytes: only their count, so that a secret cannot reach a log by interpolation.
    package var description: String { "SecretBytes(\(count) bytes, redacted)" }
    package var debugDescription: String { description }
}
