#!/usr/bin/env python3
"""A compromised vault for `handoff package fetch`: a small HTTPS server on loopback that serves a
Teams package for one handoff in a way a hostile server could. It makes its own certificate
(openssl), prints the CA file path and then its URL, one line each, and serves until killed.

  hostile_package_vault.py WORKDIR MODE HANDOFF_ID GENERATOR_KEY_FILE RECIPIENT_KEY_ID CLIENT_ID SUMMARY_FILE
  SUMMARY_FILE: the real vault's answer to GET /v1/handoffs/{id} (its signed receipts), served as is;
  packages are signed (v2) as built from the latest receipted submission, delivery 1.
  MODE: valid          a package signed by the generator key for this handoff (the control)
        tampered       the signed package, its validDomains changed after signing
        other-key      a package signed by another Ed25519 key
        other-handoff  a package signed by the generator key, but for another handoff
        other-client   a package signed by the generator key for this handoff, built for another client ID
        old-submission a package signed by the generator key for this handoff, built from another submission
        version-1      a package signed by the generator key with a version 1 signature (no submission)
        bomb           a validly signed zip whose manifest.json declares 100 bytes and inflates to 400 MB
"""
import base64, hashlib, io, json, sys, uuid, zipfile

from nacl.signing import SigningKey

from tls_server import BaseHTTPRequestHandler, answer, serve
from zip_bomb import bomb

work, mode, handoff_id, key_file, recipient_key_id, client_id, summary_file = sys.argv[1:8]
summary = json.load(open(summary_file))
latest_submission = summary["receipts"][-1].split("\n")[2]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def package(client, domains):
    manifest = {"manifestVersion": "1.23", "id": str(uuid.uuid4()), "version": "1.0.0",
                "webApplicationInfo": {"id": client, "resource": "api://altouraremoteacs.azurewebsites.net/" + client},
                "validDomains": domains}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n")
        archive.writestr("color.png", PNG)
        archive.writestr("outline.png", PNG)
    return buffer.getvalue()


def sign(zip_bytes, for_handoff, signer, submission=None, version=2):
    name = "handoff-generator/" + recipient_key_id
    digest = base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()
    if version == 1:
        text = "handoff-vault package v1\n%s\n%s\n%d\n" % (for_handoff, digest, len(zip_bytes))
    else:
        text = "handoff-vault package v2\n%s\n%s\n1\n%s\n%d\n" % (for_handoff, submission or latest_submission, digest, len(zip_bytes))
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + bytes(signer.verify_key)).digest()[:4]
    signature = signer.sign(text.encode()).signature
    return text + "\n\u2014 " + name + " " + base64.b64encode(key_id + signature).decode() + "\n"


generator = SigningKey(base64.b64decode(json.load(open(key_file))["signingSecretKey"]))
good = package(client_id, ["altouraremoteacs.azurewebsites.net"])
if mode == "valid":
    served, note = good, sign(good, handoff_id, generator)
elif mode == "tampered":
    served, note = package(client_id, ["evil.example"]), sign(good, handoff_id, generator)
elif mode == "other-key":
    served, note = good, sign(good, handoff_id, SigningKey.generate())
elif mode == "other-handoff":
    served, note = good, sign(good, str(uuid.uuid4()), generator)
elif mode == "other-client":
    other = package(str(uuid.uuid4()), ["altouraremoteacs.azurewebsites.net"])
    served, note = other, sign(other, handoff_id, generator)
elif mode == "old-submission":
    served, note = good, sign(good, handoff_id, generator, submission=str(uuid.uuid4()))
elif mode == "version-1":
    served, note = good, sign(good, handoff_id, generator, version=1)
elif mode == "bomb":
    served = bomb()
    note = sign(served, handoff_id, generator)
else:
    sys.exit("unknown mode " + mode)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/v1/handoffs/%s/package" % handoff_id:
            answer(self, {"handoffId": handoff_id, "package": base64.b64encode(served).decode(), "signature": note})
        elif self.path == "/v1/handoffs/%s" % handoff_id:
            answer(self, summary)
        else:
            answer(self, {"status": 404, "detail": "no"}, 404)


serve(work, "hostile-pkg", Handler)
