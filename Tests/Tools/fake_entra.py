#!/usr/bin/env python3
"""A stand-in for Microsoft Entra ID in the tests: RSA signing keys, ID tokens with Entra's claims
minted by PyJWT (an independent JOSE library; never the project's Swift), and the authority's
key set over HTTPS. Also plays the customer's machine for the generator's tests: seals a v2
payload with PyNaCl and submits it with the invite's token.

  fake_entra.py keys DIR                    two RSA-2048 keys (key-1, key-2) and DIR/jwks.json (key-1 only)
  fake_entra.py rotate DIR                  publish key-2 too (DIR/jwks.json), as Entra does before it signs with a new key
  fake_entra.py mint DIR KID ALG CLAIMS     print a token: ALG is RS256 (PyJWT, key KID), none, or HS256-PUB
                                            (HMAC keyed with the public key's PEM: the algorithm-confusion forgery)
  fake_entra.py submit CONFIG               mint an ID token for the invite of CONFIG (JSON: invite, ca, values, keys, kid,
                                            alg, salt, authority, clientId, claims — overrides of Entra's claims, null
                                            removes one; "tamper" changes the claims after signing; "token" sends that
                                            text instead), seal {"v":2,…,"tenantProof"} to the invite's key (PyNaCl)
                                            and POST it with the invite's token
  fake_entra.py serve DIR WORK              serve DIR/jwks.json at /{tenant}/discovery/v2.0/keys over TLS; print
                                            the CA file and the URL; GET /hits answers how often the keys were read
"""
import base64
import hashlib
import hmac
import json
import os
import ssl
import sys
import time
import urllib.request

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from nacl.public import PublicKey, SealedBox

sys.path.insert(0, os.path.dirname(__file__))
from tls_server import BaseHTTPRequestHandler, answer, serve  # noqa: E402


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def private_key(directory, kid):
    with open(os.path.join(directory, kid + ".pem"), "rb") as handle:
        return serialization.load_pem_private_key(handle.read(), password=None)


def public_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    def integer(value):
        return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))
    return {"kty": "RSA", "use": "sig", "kid": kid, "n": integer(numbers.n), "e": integer(numbers.e)}


def write_jwks(directory, kids):
    keys = [public_jwk(private_key(directory, kid), kid) for kid in kids]
    with open(os.path.join(directory, "jwks.json"), "w") as handle:
        json.dump({"keys": keys}, handle)


def keys(directory):
    os.makedirs(directory, exist_ok=True)
    for kid in ("key-1", "key-2"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        with open(os.path.join(directory, kid + ".pem"), "wb") as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    write_jwks(directory, ["key-1"])


def rotate(directory):
    write_jwks(directory, ["key-1", "key-2"])


def mint(directory, kid, algorithm, claims):
    claims = json.loads(claims)
    if algorithm == "RS256":
        return jwt.encode(claims, private_key(directory, kid), algorithm="RS256", headers={"kid": kid})
    if algorithm == "none":
        return b64url(canonical({"alg": "none", "kid": kid, "typ": "JWT"})) + "." + b64url(canonical(claims)) + "."
    if algorithm == "HS256-PUB":
        secret = private_key(directory, kid).public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        signing_input = b64url(canonical({"alg": "HS256", "kid": kid, "typ": "JWT"})) + "." + b64url(canonical(claims))
        return signing_input + "." + b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
    raise SystemExit("unknown algorithm " + algorithm)


def nonce(handoff_id, salt):
    return b64url(hashlib.sha256(("handoff-vault tenant-proof v1\n" + handoff_id + "\n" + salt).encode("utf-8")).digest())


def submit(config_file):
    config = json.load(open(config_file))
    code = open(config["invite"]).read().strip()
    invite = json.loads(base64.urlsafe_b64decode(code[4:] + "=" * (-len(code[4:]) % 4)))
    with open(config["values"], "rb") as handle:
        values = json.loads(handle.read())
    tenant = values["tenantId"].lower()
    now = int(time.time())
    claims = {
        "iss": "%s/%s/v2.0" % (config["authority"], tenant), "aud": config["clientId"], "tid": tenant,
        "oid": "00000000-0000-4000-8000-0000000000a1", "preferred_username": "alice@contoso.example", "name": "Alice Admin",
        "nonce": nonce(invite["handoffId"], config["salt"]), "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "ver": "2.0",
        "wids": ["62e90394-69f5-4237-9190-012177145e10"],
    }
    for name, value in config.get("claims", {}).items():
        if value is None:
            claims.pop(name, None)
        elif isinstance(value, str) and value.startswith("now"):
            claims[name] = now + int(value[3:] or 0)
        else:
            claims[name] = value
    token = config.get("token") or mint(config["keys"], config["kid"], config["alg"], json.dumps(claims))
    if config.get("tamper"):
        header, _, signature = token.split(".")
        claims["preferred_username"] = "mallory@contoso.example"
        token = header + "." + b64url(canonical(claims)) + "." + signature
    payload = {"v": 2, "handoffId": invite["handoffId"], "sealedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "values": values, "tenantProof": {"idToken": token, "nonceSalt": config["salt"]}}
    recipient = PublicKey(base64.b64decode(invite["recipientKey"]))
    sealed = SealedBox(recipient).encrypt(canonical(payload))
    key_id = "rk_" + hashlib.sha256(bytes(recipient)).hexdigest()[:16]
    body = canonical({"sealed": base64.b64encode(sealed).decode(), "recipientKeyId": key_id})
    request = urllib.request.Request(invite["server"] + "/v1/handoffs/" + invite["handoffId"] + "/submissions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + invite["token"]})
    context = ssl.create_default_context(cafile=config["ca"])
    with urllib.request.urlopen(request, context=context) as response:
        print(response.read().decode())


def serve_keys(directory, work):
    hits = {"count": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/hits":
                return answer(self, {"hits": hits["count"]})
            parts = self.path.split("/")
            if len(parts) == 5 and parts[2:] == ["discovery", "v2.0", "keys"]:
                hits["count"] += 1
                with open(os.path.join(directory, "jwks.json")) as handle:
                    return answer(self, json.load(handle))
            answer(self, {"error": "not_found"}, 404)

    serve(work, "entra", Handler)


def main(argv):
    commands = {
        "keys": (keys, 1), "rotate": (rotate, 1), "mint": (lambda *a: print(mint(*a)), 4),
        "submit": (submit, 1), "serve": (serve_keys, 2),
    }
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        raise SystemExit(__doc__)
    commands[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
