import CSodium

// The web page's WebAssembly entry points. Everything they decide is the domain's own code,
// compiled here with Embedded Swift: `HandoffValues.validate` (the rules `handoff validate` runs),
// `InviteCode`, `SealedPayload` (sealed with libsodium's crypto_box_seal), `Receipt` and
// `PackageSignature`. This file only moves bytes across the boundary.
//
// The boundary: the page asks `hv_alloc` for buffers, copies its inputs in, calls a function with
// (pointer, length) pairs, and gets back a buffer holding a 4-byte little-endian length and that
// many bytes of canonical JSON; it reads it and gives every buffer back to `hv_free`, which wipes
// it first. That wipes only those buffers: the copies Swift makes while it parses the invite and
// the values (strings, arrays, the canonical payload before sealing) are freed unwiped and stay in
// linear memory. So the page uses each instance for one call, then zeroes its whole memory and
// continues with a fresh instance (page.js, `retire`); the browser test scans every WebAssembly
// memory in the page's heap for the access key and the invite token after sealing.

/// A buffer of `size` bytes for the page (never null: an empty input still gets one byte).
@_cdecl("hv_alloc")
public func hvAlloc(_ size: Int32) -> UnsafeMutableRawPointer? {
    malloc(Int(max(size, 1)))
}

/// Wipes and frees a buffer of `size` bytes that came from `hv_alloc` or a function's answer.
@_cdecl("hv_free")
public func hvFree(_ pointer: UnsafeMutableRawPointer?, _ size: Int32) {
    guard let pointer else { return }
    sodium_memzero(pointer, Int(max(size, 1)))
    free(pointer)
}

/// `handoff validate --json` for a values document: `{"valid":…,"problems":[{field,message,hint}]}`.
@_cdecl("hv_validate")
public func hvValidate(_ document: UnsafePointer<UInt8>?, _ length: Int32) -> UnsafeMutableRawPointer? {
    var bytes = WebBoundary.bytes(document, length)
    defer { SecretBytes.wipe(&bytes) }
    do throws(ValuesInvalid) {
        _ = try HandoffValues.validate(document: bytes)
        return WebBoundary.answer(["valid": true, "problems": []])
    } catch {
        return WebBoundary.answer(["valid": false, "problems": .array(error.problems.map { $0.jsonValue })])
    }
}

/// What an invite code holds that the page needs: the handoff, the server it names, the token it
/// sends (only ever as the bearer token to the page's own origin), and whether packages can be
/// verified (the generator's signing key is pinned).
@_cdecl("hv_invite")
public func hvInvite(_ text: UnsafePointer<UInt8>?, _ length: Int32) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(text, length))
        var answer: [String: JSONValue] = [
            "ok": true, "handoffId": .string(invite.handoffId), "server": .string(invite.server),
            "token": .string(invite.token.withText { $0 }), "recipientKeyId": .string(invite.recipientKey.keyId),
            "verifiesPackages": .bool(invite.generatorSigningKey != nil),
        ]
        if let signIn = invite.signIn { answer["signIn"] = signIn.jsonValue }
        if let tenantProof = invite.tenantProof { answer["tenantProof"] = .string(tenantProof.rawValue) }
        if let tenantId = invite.tenantId { answer["tenantId"] = .string(tenantId) }
        if let redirectUri = invite.redirectUri { answer["redirectUri"] = .string(redirectUri) }
        if let appIdUriHost = invite.appIdUriHost { answer["appIdUriHost"] = .string(appIdUriHost) }
        return WebBoundary.answer(.object(answer))
    } catch {
        return WebBoundary.failure(error)
    }
}

/// Validates the values and seals the canonical payload, bound to the invite's handoff, to the
/// recipient key the invite pins — v2 with the tenant proof when an ID token and its salt are
/// given (empty: v1): `{"ok":true,"sealed":base64,"recipientKeyId":…}`, or the problems
/// (`{"ok":false,"problems":[…]}`) and nothing sealed.
@_cdecl("hv_seal")
public func hvSeal(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ document: UnsafePointer<UInt8>?, _ documentLength: Int32,
    _ sealedAt: UnsafePointer<UInt8>?, _ sealedAtLength: Int32,
    _ idToken: UnsafePointer<UInt8>?, _ idTokenLength: Int32,
    _ nonceSalt: UnsafePointer<UInt8>?, _ nonceSaltLength: Int32
) -> UnsafeMutableRawPointer? {
    let values: HandoffValues
    switch WebBoundary.values(document, documentLength) {
    case .success(let checked): values = checked
    case .failure(let invalid): return WebBoundary.refused(invalid)
    }
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        let token = WebBoundary.text(idToken, idTokenLength)
        var proof: TenantProof?
        if !token.isEmpty {
            proof = try TenantProof(json: ["idToken": .string(token), "nonceSalt": .string(WebBoundary.text(nonceSalt, nonceSaltLength))])
        }
        if invite.tenantProof == .required, proof == nil {
            throw FormatError(.tenantProofRefused, "this invite requires Sign in with Microsoft before the values are sent")
        }
        if let proof {
            let signedInTenant = (try CompactJWS(parsing: proof.idToken)).claims["tid"]?.stringValue?.lowercased() ?? "?"
            guard signedInTenant == values.tenantId.lowercased() else {
                throw FormatError(
                    .tenantProofRefused,
                    "you signed in with tenant \(signedInTenant), but the values name tenant \(values.tenantId.lowercased()) — sign in with an account of that tenant, or correct the Directory (tenant) ID"
                )
            }
        }
        let payload = SealedPayload(
            handoffId: invite.handoffId, sealedAt: WebBoundary.text(sealedAt, sealedAtLength), values: values, tenantProof: proof
        )
        let sealed = try payload.seal(to: invite.recipientKey)
        return WebBoundary.answer([
            "ok": true, "sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(invite.recipientKey.keyId),
        ])
    } catch {
        return WebBoundary.failure(error)
    }
}

/// Seals the Step 10 Object ID alone (`ObjectIdPayload`), bound to the invite's handoff, to the
/// recipient key the invite pins: `{"ok":true,"sealed":base64,"recipientKeyId":…}`, or the
/// Object ID's problem (`{"ok":false,"problems":[…]}`) and nothing sealed.
@_cdecl("hv_seal_object_id")
public func hvSealObjectId(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ objectId: UnsafePointer<UInt8>?, _ objectIdLength: Int32,
    _ sealedAt: UnsafePointer<UInt8>?, _ sealedAtLength: Int32
) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        let payload: ObjectIdPayload
        do throws(ValuesInvalid) {
            payload = try ObjectIdPayload(
                handoffId: invite.handoffId, sealedAt: WebBoundary.text(sealedAt, sealedAtLength), teamsAppObjectId: WebBoundary.text(objectId, objectIdLength)
            )
        } catch {
            return WebBoundary.refused(error)
        }
        let sealed = try payload.seal(to: invite.recipientKey)
        return WebBoundary.answer(["ok": true, "sealed": .string(Base64.encode(sealed)), "recipientKeyId": .string(invite.recipientKey.keyId)])
    } catch {
        return WebBoundary.failure(error)
    }
}

/// Verifies the server's signed receipt for the sealed bytes just sent, under the server key the
/// invite pins: `{"ok":true,"submissionId":…,"receivedAt":…,"auditIndex":…}`.
@_cdecl("hv_verify_receipt")
public func hvVerifyReceipt(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ note: UnsafePointer<UInt8>?, _ noteLength: Int32,
    _ sealed: UnsafePointer<UInt8>?, _ sealedLength: Int32
) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        let receipt = try Receipt.verify(
            WebBoundary.text(note, noteLength), serverKey: invite.serverKey, handoffId: invite.handoffId,
            sealed: WebBoundary.bytes(sealed, sealedLength)
        )
        return WebBoundary.answer([
            "ok": true, "submissionId": .string(receipt.submissionId), "receivedAt": .string(receipt.receivedAt),
            "auditIndex": .integer(receipt.auditIndex),
        ])
    } catch {
        return WebBoundary.failure(error)
    }
}

/// Verifies a delivered package: the generator's signature note over these zip bytes, for this
/// handoff, under the signing key the invite pins (never a key the server names), built from the
/// submission of `latestReceipt` — the newest receipt the vault shows, itself checked against the
/// server key the invite pins — so an older package cannot be passed off as the current one.
/// Answers the package's submission id and delivery sequence.
@_cdecl("hv_verify_package")
public func hvVerifyPackage(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ note: UnsafePointer<UInt8>?, _ noteLength: Int32,
    _ zip: UnsafePointer<UInt8>?, _ zipLength: Int32,
    _ latestReceipt: UnsafePointer<UInt8>?, _ latestReceiptLength: Int32
) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        guard let signingKey = invite.generatorSigningKey else {
            throw FormatError(.packageSignatureInvalid, "this invite pins no package-signing key; ask the operator for a new invite")
        }
        let statement = try PackageSignature.verify(
            WebBoundary.text(note, noteLength), zip: WebBoundary.bytes(zip, zipLength), handoffId: invite.handoffId, signingKey: signingKey
        )
        let receipt = try Receipt.verifySignature(
            WebBoundary.text(latestReceipt, latestReceiptLength), serverKey: invite.serverKey, handoffId: invite.handoffId
        )
        try statement.checkBuilt(from: receipt.submissionId)
        return WebBoundary.answer(["ok": true, "submissionId": .string(statement.submissionId), "sequence": .integer(statement.sequence)])
    } catch {
        return WebBoundary.failure(error)
    }
}

/// The `nonce` a sign-in for `handoffId` with `nonceSalt` must carry: `{"nonce":…}`.
@_cdecl("hv_tenant_nonce")
public func hvTenantNonce(
    _ handoffId: UnsafePointer<UInt8>?, _ handoffIdLength: Int32, _ nonceSalt: UnsafePointer<UInt8>?, _ nonceSaltLength: Int32
) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let nonce = try TenantProof.nonce(handoffId: WebBoundary.text(handoffId, handoffIdLength), nonceSalt: WebBoundary.text(nonceSalt, nonceSaltLength))
        return WebBoundary.answer(["ok": true, "nonce": .string(nonce)])
    } catch {
        return WebBoundary.failure(error)
    }
}

/// The claims checks of a sign-in before sealing (the page checked the RS256 signature with the
/// authority's key through WebCrypto first): the generator's own rules (`TenantProofCheck`),
/// against the values' tenant when the form holds a valid one (else the token's own) and the
/// invite's pinned tenant, at `now` (Unix seconds, decimal text): `{"ok":true,"user","name","tenantId"}`.
@_cdecl("hv_check_sign_in")
public func hvCheckSignIn(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ tenantText: UnsafePointer<UInt8>?, _ tenantLength: Int32,
    _ idToken: UnsafePointer<UInt8>?, _ idTokenLength: Int32,
    _ nonceSalt: UnsafePointer<UInt8>?, _ nonceSaltLength: Int32,
    _ nowText: UnsafePointer<UInt8>?, _ nowLength: Int32
) -> UnsafeMutableRawPointer? {
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        guard let signIn = invite.signIn else { throw FormatError(.tenantProofRefused, "this invite offers no Sign in with Microsoft") }
        guard let now = Int64(WebBoundary.text(nowText, nowLength)) else { throw FormatError(.tenantProofRefused, "the page's clock is unreadable") }
        let jws = try CompactJWS(parsing: WebBoundary.text(idToken, idTokenLength))
        _ = try jws.rs256KeyId()
        let tokenTenant = jws.claims["tid"]?.stringValue ?? ""
        let tenant = WebBoundary.text(tenantText, tenantLength)
        let check = TenantProofCheck(
            clientId: signIn.clientId, authority: signIn.authority, handoffId: invite.handoffId,
            valuesTenantId: HandoffValues.isGUID(tenant) ? tenant : tokenTenant, pinnedTenantId: invite.tenantId,
            handoffCreatedAt: now, receivedAt: now
        )
        let who = try check.verify(claims: jws.claims, nonceSalt: WebBoundary.text(nonceSalt, nonceSaltLength))
        var answer: [String: JSONValue] = ["ok": true, "user": .string(who.user), "tenantId": .string(who.tenantId)]
        if let name = who.name { answer["name"] = .string(name) }
        return WebBoundary.answer(.object(answer))
    } catch {
        return WebBoundary.failure(error)
    }
}

/// The live check (`SetupCheck`) of the values in the form against what the page read from
/// Microsoft Graph (`{"application", "graphPermissionIds", "grants", "graphServicePrincipalId"}`),
/// for the tenant the admin signed in to: `{"ok":true,"findings":[{step, field, message, hint}]}`,
/// or the values' own problems when they do not pass the rules.
@_cdecl("hv_setup_check")
public func hvSetupCheck(
    _ inviteText: UnsafePointer<UInt8>?, _ inviteLength: Int32,
    _ document: UnsafePointer<UInt8>?, _ documentLength: Int32,
    _ tenantText: UnsafePointer<UInt8>?, _ tenantLength: Int32,
    _ setupText: UnsafePointer<UInt8>?, _ setupLength: Int32
) -> UnsafeMutableRawPointer? {
    let values: HandoffValues
    switch WebBoundary.values(document, documentLength) {
    case .success(let checked): values = checked
    case .failure(let invalid): return WebBoundary.refused(invalid)
    }
    do throws(FormatError) {
        let invite = try InviteCode(decoding: WebBoundary.text(inviteText, inviteLength))
        guard let read = try? JSONParser.parse(WebBoundary.bytes(setupText, setupLength)), let members = read.objectValue else {
            throw FormatError(.answerMalformed, "what Microsoft Graph answered could not be read")
        }
        var ids: [String: String] = [:]
        for (name, id) in members["graphPermissionIds"]?.objectValue ?? [:] {
            if let id = id.stringValue { ids[name] = id }
        }
        let application = members["application"].flatMap { $0 == .null ? nil : $0 }
        let setup = TenantSetup(
            application: application, graphPermissionIds: ids, grants: members["grants"]?.arrayValue ?? [],
            graphServicePrincipalId: members["graphServicePrincipalId"]?.stringValue
        )
        let findings = SetupCheck.findings(
            values: values, invitedRedirectUri: invite.redirectUri, tenantId: WebBoundary.text(tenantText, tenantLength), setup: setup
        )
        return WebBoundary.answer([
            "ok": true,
            "findings": .array(findings.map { finding in
                ["step": .integer(Int64(finding.step)), "field": .string(finding.problem.field),
                 "message": .string(finding.problem.message), "hint": .string(finding.problem.hint)]
            }),
        ])
    } catch {
        return WebBoundary.failure(error)
    }
}

/// What the page shows that the domain defines: the values' fields in order (name, the portal's
/// label, required, secret, list, where the portal shows it) and each handoff state's words for
/// the customer (the same the CLI prints), before and after a package was delivered:
/// `{"fields":[…],"states":{"invited":{"status":…,"next":…},…},"statesAfterDelivery":{…}}`.
@_cdecl("hv_describe")
public func hvDescribe() -> UnsafeMutableRawPointer? {
    var states: [String: JSONValue] = [:]
    var afterDelivery: [String: JSONValue] = [:]
    for state in HandoffState.allCases {
        let before = state.guidance(packageDelivered: false)
        let after = state.guidance(packageDelivered: true)
        states[state.rawValue] = ["status": .string(before.status), "next": .string(before.next)]
        afterDelivery[state.rawValue] = ["status": .string(after.status), "next": .string(after.next)]
    }
    return WebBoundary.answer([
        "fields": .array(ValueField.allCases.map { field in
            [
                "name": .string(field.rawValue), "label": .string(field.label), "required": .bool(field.isRequired),
                "secret": .bool(field.isSecret), "list": .bool(field.isList),
            ]
        }),
        "states": .object(states), "statesAfterDelivery": .object(afterDelivery),
        "afterDelivery": .array(CustomerGuidance.afterDelivery.map(JSONValue.string)),
    ])
}

/// Copies across the boundary.
enum WebBoundary {
    /// The values of a document (its copy wiped), or why they break the rules.
    static func values(_ document: UnsafePointer<UInt8>?, _ length: Int32) -> Result<HandoffValues, ValuesInvalid> {
        var bytes = bytes(document, length)
        defer { SecretBytes.wipe(&bytes) }
        do throws(ValuesInvalid) {
            return .success(try HandoffValues.validate(document: bytes))
        } catch {
            return .failure(error)
        }
    }

    static func bytes(_ pointer: UnsafePointer<UInt8>?, _ length: Int32) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }

    static func text(_ pointer: UnsafePointer<UInt8>?, _ length: Int32) -> String {
        String(decoding: bytes(pointer, length), as: UTF8.self)
    }

    /// A fresh buffer: 4-byte little-endian length, then the canonical JSON.
    static func answer(_ value: JSONValue) -> UnsafeMutableRawPointer? {
        let body = CanonicalJSON.encode(value)
        guard let buffer = malloc(body.count + 4) else { return nil }
        let count = UInt32(body.count)
        let bytes = buffer.assumingMemoryBound(to: UInt8.self)
        for shift in 0..<4 { bytes[shift] = UInt8(truncatingIfNeeded: count >> (8 * UInt32(shift))) }
        for (offset, byte) in body.enumerated() { bytes[4 + offset] = byte }
        return buffer
    }

    /// Values (or an Object ID) that break the rules: `{"ok":false,"problems":[…]}`.
    static func refused(_ invalid: ValuesInvalid) -> UnsafeMutableRawPointer? {
        answer(["ok": false, "problems": .array(invalid.problems.map { $0.jsonValue })])
    }

    /// A refused format, with its stable code and reason (which never quote secrets).
    static func failure(_ error: FormatError) -> UnsafeMutableRawPointer? {
        answer(["ok": false, "code": .string(error.code.rawValue), "reason": .string(error.reason)])
    }
}
