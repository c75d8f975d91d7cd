#!/usr/bin/env python3
"""An independent transparency-log witness for the tests, written from the C2SP texts alone
(tlog-witness, tlog-cosignature, signed-note, tlog-checkpoint; RFC 9162 for the consistency
proof) with PyNaCl and sqlite3: no project code. handoffd submits its checkpoints here; the tests
verify the cosignatures it returns with `handoff audit verify`.

  witness.py tls DIR                      a CA and a certificate for 127.0.0.1 (ca.pem, cert.pem, key.pem)
  witness.py keygen NAME                  {"name", "seed", "vkey"}: a new Ed25519 witness key
  WITNESS_SEED=B64 witness.py serve --name N --db FILE --port P --tls DIR --log ORIGIN=BASE64KEY [--ready FILE]
                                          (the key's seed in the environment, never in argv)
"""
import argparse
import base64
import datetime
import hashlib
import http.server
import json
import os
import signal
import sqlite3
import ssl
import sys
import threading
import time

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey


def b64(data):
    return base64.b64encode(data).decode("ascii")


def cosigner_key_id(name, public_key):
    """tlog-cosignature: SHA-256(<name> || "\\n" || 0x04 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n\x04" + public_key).digest()[:4]


def note_key_id(name, public_key):
    """signed-note, Ed25519: SHA-256(<name> || "\\n" || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_consistency(first, second, proof, first_hash, second_hash):
    """RFC 9162, section 2.1.4.2, step by step."""
    if first == second:
        return proof == [] and first_hash == second_hash
    if first == 0 or first > second or not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def make_tls(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress
    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test witness CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(directory, "ca.pem"), "wb") as out:
        out.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "cert.pem"), "wb") as out:
        out.write(leaf.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "key.pem"), "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


class Witness:
    def __init__(self, name, seed, database, logs):
        self.name = name
        self.key = SigningKey(seed)
        self.public = bytes(self.key.verify_key)
        self.logs = logs  # origin -> Ed25519 public key bytes
        self.lock = threading.Lock()
        self.db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self.db.execute("CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS refused (at REAL, origin TEXT, reason TEXT, body BLOB)")

    def add_checkpoint(self, body):
        """(status, content type, body) for one add-checkpoint request."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return 400, "text/plain", b"not UTF-8\n"
        head, separator, note = text.partition("\n\n")
        if not separator:
            return 400, "text/plain", b"no blank line after the proof\n"
        lines = head.split("\n")
        if not lines[0].startswith("old ") or len(lines) - 1 > 63:
            return 400, "text/plain", b"bad old size line or too many proof lines\n"
        size_text = lines[0][4:]
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            return 400, "text/plain", b"bad old size\n"
        old = int(size_text)
        try:
            proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
        except Exception:
            return 400, "text/plain", b"bad proof line\n"
        checkpoint_text, separator, signatures = note.partition("\n\n")
        if not separator:
            return 400, "text/plain", b"the checkpoint is not a signed note\n"
        checkpoint_text += "\n"
        body_lines = checkpoint_text.split("\n")
        origin = body_lines[0]
        if origin not in self.logs:
            return 404, "text/plain", b"unknown log\n"
        log_key = self.logs[origin]
        verified = False
        for line in signatures.split("\n"):
            if not line.startswith("\u2014 "):
                continue
            parts = line[2:].split(" ")
            if len(parts) != 2 or parts[0] != origin:
                continue
            try:
                blob = base64.b64decode(parts[1], validate=True)
            except Exception:
                continue
            if len(blob) != 68 or blob[:4] != note_key_id(origin, log_key):
                continue
            try:
                VerifyKey(log_key).verify(checkpoint_text.encode(), blob[4:])
                verified = True
            except BadSignatureError:
                pass
        if not verified:
            return 403, "text/plain", b"no signature by a known key\n"
        if len(body_lines) < 4 or not body_lines[1].isdigit():
            return 400, "text/plain", b"not a checkpoint\n"
        size = int(body_lines[1])
        try:
            root = base64.b64decode(body_lines[2], validate=True)
        except Exception:
            return 400, "text/plain", b"bad root hash\n"
        if old > size:
            return 400, "text/plain", b"old size beyond the checkpoint\n"
        with self.lock:  # check and persist atomically
            self.db.execute("BEGIN IMMEDIATE")
            try:
                row = self.db.execute("SELECT size, root FROM latest WHERE origin = ?", (origin,)).fetchone()
                stored_size, stored_root = (row[0], row[1]) if row else (0, None)
                if old != stored_size:
                    self.db.execute("ROLLBACK")
                    return 409, "text/x.tlog.size", b"%d\n" % stored_size
                if old == size and stored_root is not None and stored_root != root:
                    self.db.execute("INSERT INTO refused VALUES (?, ?, ?, ?)", (time.time(), origin, "same size, other root", body))
                    self.db.execute("COMMIT")
                    return 409, "text/x.tlog.size", b"%d\n" % stored_size
                if old == 0:
                    consistent = proof == []
                elif old == size:
                    consistent = proof == []
                else:
                    consistent = verify_consistency(old, size, proof, stored_root, root)
                if not consistent:
                    self.db.execute("INSERT INTO refused VALUES (?, ?, ?, ?)", (time.time(), origin, "consistency proof", body))
                    self.db.execute("COMMIT")
                    return 422, "text/plain", b"the consistency proof does not verify\n"
                self.db.execute("INSERT OR REPLACE INTO latest (origin, size, root) VALUES (?, ?, ?)", (origin, size, root))
                self.db.execute("COMMIT")
            except Exception:
                self.db.execute("ROLLBACK")
                raise
        timestamp = int(time.time())
        message = b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text.encode()
        signature = self.key.sign(message).signature
        blob = cosigner_key_id(self.name, self.public) + timestamp.to_bytes(8, "big") + signature
        return 200, "text/plain; charset=utf-8", ("\u2014 %s %s\n" % (self.name, b64(blob))).encode()


def serve(arguments):
    # A parent (a test runner) may have blocked these; a witness stops on them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    logs = {}
    for item in arguments.log:
        origin, _, key = item.partition("=")
        logs[origin] = base64.b64decode(key, validate=True)
    witness = Witness(arguments.name, base64.b64decode(os.environ["WITNESS_SEED"]), arguments.db, logs)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            if self.path != "/add-checkpoint":
                self.answer(404, "text/plain", b"not found\n")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1 << 20:
                self.answer(413, "text/plain", b"too large\n")
                return
            status, content_type, body = witness.add_checkpoint(self.rfile.read(length))
            self.answer(status, content_type, body)

        def answer(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(arguments.tls, "cert.pem"), os.path.join(arguments.tls, "key.pem"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    if arguments.ready:  # the port it listens on (--port 0 picks a free one)
        with open(arguments.ready + ".tmp", "w") as out:
            out.write("%d\n" % server.server_address[1])
        os.rename(arguments.ready + ".tmp", arguments.ready)
    server.serve_forever()


def main(argv):
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    tls = commands.add_parser("tls")
    tls.add_argument("directory")
    keygen = commands.add_parser("keygen")
    keygen.add_argument("name")
    run = commands.add_parser("serve")
    run.add_argument("--name", required=True)
    run.add_argument("--db", required=True)
    run.add_argument("--port", type=int, required=True)
    run.add_argument("--tls", required=True)
    run.add_argument("--log", action="append", default=[])
    run.add_argument("--ready")
    arguments = parser.parse_args(argv[1:])
    if arguments.command == "tls":
        make_tls(arguments.directory)
    elif arguments.command == "keygen":
        seed = os.urandom(32)
        public = bytes(SigningKey(seed).verify_key)
        vkey = "%s+%s+%s" % (arguments.name, cosigner_key_id(arguments.name, public).hex(), b64(b"\x04" + public))
        print(json.dumps({"name": arguments.name, "seed": b64(seed), "vkey": vkey}))
    else:
        serve(arguments)


if __name__ == "__main__":
    main(sys.argv)
