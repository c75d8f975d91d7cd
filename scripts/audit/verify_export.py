#!/usr/bin/env python3
"""An independent verifier of Handoff Vault audit exports: Python's hashlib and PyNaCl only,
no project code. It recomputes every RFC 9162 leaf and the root, and checks the C2SP signed
checkpoint on the last line with the server's Ed25519 key.

  verify_export.py EXPORT.jsonl SERVER_KEY_BASE64      prints "ok: …", or "index N: reason" and exits 1
"""
import base64
import hashlib
import json
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_of(leaves):
    """MTH(D[0:n]) of RFC 9162, iteratively: the right-edge perfect subtrees, then folded."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    stack = []  # (level, hash)
    for leaf in leaves:
        level, node = 0, leaf
        while stack and stack[-1][0] == level:
            _, left = stack.pop()
            level, node = level + 1, node_hash(left, node)
        stack.append((level, node))
    node = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        node = node_hash(left, node)
    return node


def verify_note(note, public_key):
    """The text of a C2SP signed note if a signature line verifies with public_key."""
    text, sep, signatures = note.partition("\n\n")
    if not sep:
        raise ValueError("the checkpoint has no signature block")
    text += "\n"
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            raise ValueError("a signature line does not start with an em dash")
        name, _, blob = line[2:].partition(" ")
        raw = base64.b64decode(blob, validate=True)
        key_id = hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]
        if len(raw) != 68 or raw[:4] != key_id:
            continue
        try:
            VerifyKey(public_key).verify(text.encode(), raw[4:])
            return text
        except BadSignatureError:
            continue
    raise ValueError("no signature on the checkpoint verifies with this key")


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    with open(argv[1], "rb") as handle:
        lines = handle.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    public_key = base64.b64decode(argv[2], validate=True)
    last = json.loads(lines.pop().decode("utf-8"))
    text = verify_note(last["checkpoint"], public_key)
    origin, size, root = text.rstrip("\n").split("\n")[:3]
    leaves = []
    for index, line in enumerate(lines):
        event = json.loads(line.decode("utf-8"))
        if canonical(event) != line:
            print("index %d: not canonical JSON" % index)
            return 1
        if event.get("index") != index:
            print("index %d: the event says index %r" % (index, event.get("index")))
            return 1
        leaves.append(leaf_hash(line))
    if int(size) != len(leaves):
        print("index %d: the checkpoint covers %s events, the export holds %d" % (len(leaves), size, len(leaves)))
        return 1
    if base64.b64decode(root) != root_of(leaves):
        print("index 0: the events do not hash to the signed root")
        return 1
    print("ok: %d events hash to %s, signed by %s" % (len(leaves), root, origin))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
