#!/usr/bin/env python3
"""An independent implementation of Handoff Vault's package signature v2 (DESIGN.md, "Package
signature v2"), with PyNaCl and the standard library only: a C2SP signed note by the generator's
Ed25519 key, key name handoff-generator/<recipient key id>, whose text is
"handoff-vault package v2\\n<handoffId>\\n<submissionId>\\n<sequence>\\n<base64 SHA-256 of the zip>\\n<size>\\n".

  package_signature.py make SEED_HEX HANDOFF_ID SUBMISSION_ID SEQUENCE RECIPIENT_KEY_ID ZIP_BASE64   print a vector (JSON)
  package_signature.py check VECTOR                                                                  re-sign and verify a vector
"""
import base64, hashlib, json, sys

from nacl.signing import SigningKey, VerifyKey


def note(seed, handoff_id, submission_id, sequence, recipient_key_id, zip_bytes):
    key = SigningKey(seed)
    name = "handoff-generator/" + recipient_key_id
    text = "handoff-vault package v2\n%s\n%s\n%d\n%s\n%d\n" % (
        handoff_id, submission_id, sequence, base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode(), len(zip_bytes))
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + bytes(key.verify_key)).digest()[:4]
    signature = key.sign(text.encode()).signature
    return text + "\n\u2014 " + name + " " + base64.b64encode(key_id + signature).decode() + "\n", bytes(key.verify_key)


def main():
    if sys.argv[1] == "make":
        seed, handoff_id, submission_id, sequence = bytes.fromhex(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
        key_id, zip_bytes = sys.argv[6], base64.b64decode(sys.argv[7])
        text, public = note(seed, handoff_id, submission_id, sequence, key_id, zip_bytes)
        print(json.dumps({
            "description": "Handoff Vault package signature v2. The Ed25519 seed is fixed and public; the zip bytes are a stand-in.",
            "signingSeed": seed.hex(), "signingPublicKey": base64.b64encode(public).decode(), "handoffId": handoff_id,
            "submissionId": submission_id, "sequence": sequence, "recipientKeyId": key_id, "zip": sys.argv[7], "note": text,
        }, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
        return
    vector = json.load(open(sys.argv[2], encoding="utf-8"))
    zip_bytes = base64.b64decode(vector["zip"], validate=True)
    text, public = note(bytes.fromhex(vector["signingSeed"]), vector["handoffId"], vector["submissionId"], vector["sequence"],
                        vector["recipientKeyId"], zip_bytes)
    if text != vector["note"] or base64.b64encode(public).decode() != vector["signingPublicKey"]:
        raise SystemExit("the vector's note is not what this implementation signs")
    body, _, signature_line = vector["note"].partition("\n\n")
    blob = base64.b64decode(signature_line.strip().split(" ")[2])
    VerifyKey(public).verify((body + "\n").encode(), blob[4:])
    print("ok: the package signature vector re-signs and verifies independently (%d-byte zip)" % len(zip_bytes))


main()
