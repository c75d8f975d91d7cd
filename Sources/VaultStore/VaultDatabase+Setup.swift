import Foundation
import GRDB
import HandoffDomain
import VaultCrypto

/// The server's own keys, opened with the master key at start.
package struct ServerKeys: Sendable {
    /// Signs receipts and checkpoints.
    package let signing: SigningKeyPair
    /// The key name in signed notes (the checkpoint origin).
    package let keyName: String
    /// Keys token hashes.
    package let pepper: SecretBytes
    /// Wraps data keys.
    package let master: MasterKey

    package init(signing: SigningKeyPair, keyName: String, pepper: SecretBytes, master: MasterKey) {
        self.signing = signing
        self.keyName = keyName
        self.pepper = pepper
        self.master = master
    }

    /// New server keys for `master`: a fresh Ed25519 signing key and token pepper.
    package static func generate(master: MasterKey, keyName: String) throws -> ServerKeys {
        guard SignedNote.isValidKeyName(keyName) else {
            throw StoreError(.keysUnavailable, "the key name must be non-empty with no spaces or '+'")
        }
        return ServerKeys(signing: try SigningKeyPair.generate(), keyName: keyName, pepper: try SecretBytes.random(count: 32), master: master)
    }

    /// The secrets a store keeps, each wrapped by the master key: (name, wrapped bytes).
    package func wrappedSecrets() throws -> [(name: String, wrapped: [UInt8])] {
        try [(StoreFormat.signingSecretName, signing.seed), (StoreFormat.pepperSecretName, pepper)].map { name, secret in
            (name, try XChaCha20Poly1305.seal(secret, key: master.key, associatedData: StoreFormat.secretContext(name, master.version)))
        }
    }

    /// The Ed25519 key that signs deliveries to webhook endpoint `endpointId` (Standard Webhooks
    /// `v1a`): its seed is keyed BLAKE2b of the endpoint id under the token pepper, in its own
    /// context, so no webhook secret is ever stored and each endpoint has its own key.
    package func webhookSigningKey(endpointId: String) throws -> SigningKeyPair {
        var seed = try KeyedBLAKE2b.hash(Array("handoff-vault webhook signing key v1\n\(endpointId)".utf8), key: pepper)
        defer { SecretBytes.wipe(&seed) }
        return try SigningKeyPair(seed: try SecretBytes(copying: seed))
    }

    /// The keyed hash under which a token is stored and looked up.
    package func tokenHash(_ token: BearerToken) throws -> Data {
        Data(try token.withText { try KeyedBLAKE2b.hash(Array($0.utf8), key: pepper) })
    }
}

extension VaultDatabase {

    /// Creates the server's signing key and token pepper (wrapped by `master`) and the bootstrap
    /// admin token; refuses a database that is already initialised.
    package func initialize(master: MasterKey, keyName: String, adminToken: BearerToken, now: Date) async throws -> ServerKeys {
        let keys = try ServerKeys.generate(master: master, keyName: keyName)
        let secrets = try keys.wrappedSecrets()
        let adminHash = try keys.tokenHash(adminToken)
        let adminId = try StoreFormat.newTokenId()
        try await write { db in
            guard try SettingRecord.fetchCount(db) == 0 else {
                throw StoreError(.alreadyInitialized, "this data directory is already initialised")
            }
            for (name, wrapped) in secrets {
                try ServerSecretRecord(name: name, wrapped: Data(wrapped), keyVersion: master.version).insert(db)
            }
            try SettingRecord(name: StoreFormat.keyNameSetting, value: keyName).insert(db)
            try TokenRecord(id: adminId, role: .admin, name: "bootstrap admin", handoffId: nil, hash: adminHash, createdAt: now, revokedAt: nil, expiresAt: nil).insert(db)
            let context = OperationContext(principal: Principal(tokenId: adminId, role: .admin, handoffId: nil), remote: "local", requestId: "init", now: now)
            try self.audit(db, .initialized, context: context)
        }
        return keys
    }

    /// Opens the server's keys with `master`; fails when the database is not initialised or the
    /// master key is not the one it was initialised with.
    package func loadKeys(master: MasterKey) async throws -> ServerKeys {
        let (records, keyName) = try await read { db in
            (try ServerSecretRecord.fetchAll(db), try SettingRecord.fetchOne(db, key: StoreFormat.keyNameSetting)?.value)
        }
        func open(_ name: String) throws -> SecretBytes {
            guard let record = records.first(where: { $0.name == name }), let keyName, !keyName.isEmpty else {
                throw StoreError(.keysUnavailable, "the database is not initialised; run handoffd init")
            }
            do {
                return try XChaCha20Poly1305.open([UInt8](record.wrapped), key: master.key, associatedData: StoreFormat.secretContext(name, record.keyVersion))
            } catch {
                throw StoreError(.keysUnavailable, "the server keys do not open with this master key")
            }
        }
        let signing = try SigningKeyPair(seed: try open(StoreFormat.signingSecretName))
        return ServerKeys(signing: signing, keyName: keyName ?? "", pepper: try open(StoreFormat.pepperSecretName), master: master)
    }
}
