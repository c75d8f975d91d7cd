#!/usr/bin/env python3
"""An independent implementation of the tenant proof's binding (DESIGN.md, "Sealed payload" v2),
with PyNaCl and the standard library only (no project code).

  tenant_proof.py check VECTOR   recompute the nonce, open the v2 box, check its canonical form
  tenant_proof.py make VECTOR    write VECTOR afresh from its handoffId, nonceSalt and payload
                                 (nonce computed here, box sealed here to sealed-payload.json's key)
"""
import base64
import hashlib
import json
import os
import sys

from nacl.public import PrivateKey, PublicKey, SealedBox


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def nonce(handoff_id, salt):
    return b64url(hashlib.sha256(("handoff-vault tenant-proof v1\n" + handoff_id + "\n" + salt).encode("utf-8")).digest())


def load(path):
    with open(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def keys(path):
    vector = load(os.path.join(os.path.dirname(path), "sealed-payload.json"))
    return PrivateKey(base64.b64decode(vector["recipientSecretKey"], validate=True))


def check(path):
    vector = load(path)
    if nonce(vector["handoffId"], vector["nonceSalt"]) != vector["nonce"]:
        raise SystemExit("the vector's nonce is not SHA-256 of the binding text")
    opened = SealedBox(keys(path)).decrypt(base64.b64decode(vector["sealed"], validate=True))
    if opened != vector["payload"].encode("utf-8"):
        raise SystemExit("the opened box differs from the payload")
    payload = json.loads(opened.decode("utf-8"))
    if canonical(payload) != opened or payload.get("v") != 2 or set(payload) != {"v", "handoffId", "sealedAt", "values", "tenantProof"}:
        raise SystemExit("the payload is not a canonical v2 payload")
    if payload["tenantProof"]["nonceSalt"] != vector["nonceSalt"] or payload["handoffId"] != vector["handoffId"]:
        raise SystemExit("the payload's proof is not the vector's")
    claims = json.loads(base64.urlsafe_b64decode(payload["tenantProof"]["idToken"].split(".")[1] + "=="))
    if claims.get("nonce") != vector["nonce"]:
        raise SystemExit("the ID token's nonce is not the vector's")
    print("ok: nonce recomputed and v2 payload opened with PyNaCl (%d bytes)" % len(opened))


def make(path):
    vector = load(path)
    vector["nonce"] = nonce(vector["handoffId"], vector["nonceSalt"])
    payload = json.loads(vector["payload"])
    header = b64url(canonical({"alg": "RS256", "kid": "vector-key", "typ": "JWT"}))
    claims = b64url(canonical({"nonce": vector["nonce"], "tid": payload["values"]["tenantId"]}))
    payload["tenantProof"] = {"idToken": header + "." + claims + "." + b64url(b"not-a-real-signature"), "nonceSalt": vector["nonceSalt"]}
    vector["payload"] = canonical(payload).decode("utf-8")
    vector["sealed"] = base64.b64encode(SealedBox(keys(path).public_key).encrypt(vector["payload"].encode("utf-8"))).decode("ascii")
    with open(path, "wb") as handle:
        handle.write(json.dumps(vector, indent=1, ensure_ascii=False).encode("utf-8") + b"\n")


def main(argv):
    commands = {"check": check, "make": make}
    if len(argv) != 3 or argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[argv[1]](argv[2])


if __name__ == "__main__":
    main(sys.argv)
