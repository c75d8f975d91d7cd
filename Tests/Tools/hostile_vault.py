#!/usr/bin/env python3
"""A compromised vault for the CLI's tests: a small HTTPS server on loopback that answers the
generator's `pull` with what a hostile server could send. It makes its own certificate (openssl),
prints the CA file path and then its URL, one line each, and serves until killed.

  hostile_vault.py WORKDIR MODE GENERATOR_PUB KEY_ID VALUES_FILE
  MODE: path-id      a handoff whose id is ../../evil, with a box sealed (with the public key,
                     as anyone can) to that id
        hostile-name a well-formed handoff whose customer name carries terminal escape sequences
"""
import json, os, ssl, subprocess, sys, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nacl.public import PublicKey, SealedBox

work, mode, pub_path, key_id, values_path = sys.argv[1:6]
cert, key = os.path.join(work, "hostile-cert.pem"), os.path.join(work, "hostile-key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)

handoff_id = "../../evil" if mode == "path-id" else str(uuid.uuid4())
customer = "\x1b]0;pwned\x07\x1b[2JContoso\x9b31m" if mode == "hostile-name" else "Evil"
public_text = open(pub_path).read().strip()
if public_text.startswith("{"):
    public_text = json.loads(public_text)["publicKey"]
public_key = PublicKey(__import__("base64").b64decode(public_text))
values = json.load(open(values_path))
payload = json.dumps({"v": 1, "handoffId": handoff_id, "sealedAt": "2026-11-27T10:00:00Z", "values": values},
                     sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
sealed = __import__("base64").b64encode(SealedBox(public_key).encrypt(payload)).decode()


class Handler(BaseHTTPRequestHandler):
    def answer(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/v1/handoffs?") or self.path == "/v1/handoffs":
            self.answer({"handoffs": [{"handoffId": handoff_id, "customer": customer, "state": "submitted",
                                       "createdAt": "2026-11-27T10:00:00Z", "expiresAt": "2026-12-11T10:00:00Z", "receipts": []}]})
        elif self.path.endswith("/submissions/latest"):
            self.answer({"submissionId": str(uuid.uuid4()), "sealed": sealed, "recipientKeyId": key_id,
                         "receivedAt": "2026-11-27T10:00:00Z"})
        else:
            self.answer({"status": 404, "detail": "no"}, 404)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(cert, flush=True)
print("https://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
