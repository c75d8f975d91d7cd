#!/usr/bin/env python3
"""A compromised vault for the CLI's tests: a small HTTPS server on loopback that answers the
generator's `pull` with what a hostile server could send. It makes its own certificate (openssl),
prints the CA file path and then its URL, one line each, and serves until killed.

  hostile_vault.py WORKDIR MODE GENERATOR_PUB KEY_ID VALUES_FILE
  MODE: path-id      a handoff whose id is ../../evil, with a box sealed (with the public key,
                     as anyone can) to that id
        hostile-name a well-formed handoff whose customer name carries terminal escape sequences
"""
import base64, json, sys, uuid

from nacl.public import PublicKey, SealedBox

from tls_server import BaseHTTPRequestHandler, answer, serve

work, mode, pub_path, key_id, values_path = sys.argv[1:6]

handoff_id = "../../evil" if mode == "path-id" else str(uuid.uuid4())
customer = "\x1b]0;pwned\x07\x1b[2JContoso\x9b31m" if mode == "hostile-name" else "Evil"
public_text = open(pub_path).read().strip()
if public_text.startswith("{"):
    public_text = json.loads(public_text)["publicKey"]
public_key = PublicKey(base64.b64decode(public_text))
values = json.load(open(values_path))
payload = json.dumps({"v": 1, "handoffId": handoff_id, "sealedAt": "2026-11-27T10:00:00Z", "values": values},
                     sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
sealed = base64.b64encode(SealedBox(public_key).encrypt(payload)).decode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/v1/handoffs?") or self.path == "/v1/handoffs":
            answer(self, {"handoffs": [{"handoffId": handoff_id, "customer": customer, "state": "submitted",
                                        "createdAt": "2026-11-27T10:00:00Z", "expiresAt": "2026-12-11T10:00:00Z", "receipts": []}]})
        elif self.path.endswith("/submissions/latest"):
            answer(self, {"submissionId": str(uuid.uuid4()), "sealed": sealed, "recipientKeyId": key_id,
                          "receivedAt": "2026-11-27T10:00:00Z"})
        else:
            answer(self, {"status": 404, "detail": "no"}, 404)


serve(work, "hostile", Handler)
