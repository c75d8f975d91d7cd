#!/usr/bin/env python3
"""An independent implementation of Handoff Vault's sealed payload, with PyNaCl and the standard
library only (no project code), to prove the Swift side's bytes are reproducible.

  sealed_payload.py open VECTOR       open the Swift-made box in VECTOR; check key, bytes, canonical form
  sealed_payload.py seal VECTOR       seal VECTOR's payload afresh; print {"sealed": base64} on stdout
  sealed_payload.py canonical FILE    print FILE's JSON in the canonical form of DESIGN.md
"""
import base64
import json
import sys

from nacl.public import PrivateKey, PublicKey, SealedBox


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load(path):
    with open(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8"))


def open_vector(path):
    vector = load(path)
    secret = PrivateKey(base64.b64decode(vector["recipientSecretKey"], validate=True))
    public = base64.b64decode(vector["recipientPublicKey"], validate=True)
    if bytes(secret.public_key) != public:
        raise SystemExit("recipientPublicKey is not the public half of recipientSecretKey")
    opened = SealedBox(secret).decrypt(base64.b64decode(vector["sealed"], validate=True))
    expected = vector["payload"].encode("utf-8")
    if opened != expected:
        raise SystemExit("the opened box differs from the payload")
    payload = json.loads(opened.decode("utf-8"))
    if canonical(payload) != opened:
        raise SystemExit("the payload is not canonical JSON")
    if payload.get("v") != 1 or payload.get("handoffId") != vector["handoffId"]:
        raise SystemExit("the payload is not a v1 payload for the vector's handoff")
    print("ok: PyNaCl opened the Swift-made sealed payload (%d bytes)" % len(opened))


def seal_vector(path):
    vector = load(path)
    public = PublicKey(base64.b64decode(vector["recipientPublicKey"], validate=True))
    sealed = SealedBox(public).encrypt(vector["payload"].encode("utf-8"))
    print(json.dumps({"sealed": base64.b64encode(sealed).decode("ascii")}))


def print_canonical(path):
    sys.stdout.buffer.write(canonical(load(path)))


def main(argv):
    commands = {"open": open_vector, "seal": seal_vector, "canonical": print_canonical}
    if len(argv) != 3 or argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[argv[1]](argv[2])


if __name__ == "__main__":
    main(sys.argv)
