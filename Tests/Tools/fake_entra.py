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
                                            the CA file and the URL; GET /hits answers how often the keys were read.
                                            Also Entra's sign-in endpoints for a public client, as the user
                                            DIR/user.json says ({"tid", "preferred_username", "name", "oid",
                                            "clientId", "deviceOutcome": approve|decline|expire, "pending": N}):
                                            /{tenant}/oauth2/v2.0/authorize (redirects at once with a code, as if
                                            the user signed in), /{tenant}/oauth2/v2.0/token (authorization_code
                                            with PKCE S256 checked, or the device code: authorization_pending N
                                            times, one slow_down, then the outcome), /{tenant}/oauth2/v2.0/devicecode
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
    import urllib.parse
    state = {"hits": 0, "codes": {}, "devices": {}, "tokenRequests": 0, "graphTokens": set(), "armTokens": set(), "graphRequests": 0, "throttled": False}

    def tenant():
        path = os.path.join(directory, "tenant.json")
        return json.load(open(path)) if os.path.exists(path) else {}

    def token_answer(authority, nonce_value, scope):
        answer_body = {"token_type": "Bearer", "id_token": id_token(authority, nonce_value), "expires_in": 3600}
        if "Application.Read.All" in (scope or ""):
            access = "graph-" + b64url(os.urandom(16))
            state["graphTokens"].add(access)
            answer_body["access_token"] = access
        elif "user_impersonation" in (scope or ""):
            access = "arm-" + b64url(os.urandom(16))
            state["armTokens"].add(access)
            answer_body["access_token"] = access
        return answer_body

    def arm(handler, url, query, method):
        """Azure Resource Manager as documented: subscriptions list
        (https://learn.microsoft.com/rest/api/resources/subscriptions/list), Communication Services by
        subscription and listKeys (https://learn.microsoft.com/rest/api/communication/communication-services);
        401 without the issued token."""
        data = tenant()
        bearer = handler.headers.get("Authorization", "")
        if not bearer.startswith("Bearer ") or bearer[7:] not in state["armTokens"]:
            return answer(handler, {"error": {"code": "AuthenticationFailed"}}, 401)
        if "api-version" not in query:
            return answer(handler, {"error": {"code": "MissingApiVersionParameter"}}, 400)
        resources = data.get("acsResources", [])
        parts = url.path.split("/")
        if url.path == "/subscriptions" and method == "GET":
            return answer(handler, {"value": data.get("subscriptions", [])})
        if len(parts) == 6 and parts[1] == "subscriptions" and parts[3:] == ["providers", "Microsoft.Communication", "communicationServices"] and method == "GET":
            return answer(handler, {"value": [r["resource"] for r in resources if r["resource"]["id"].startswith("/subscriptions/%s/" % parts[2])]})
        if url.path.endswith("/listKeys") and method == "POST":
            for r in resources:
                if r["resource"]["id"] + "/listKeys" == url.path:
                    return answer(handler, r["keys"])
        answer(handler, {"error": {"code": "ResourceNotFound"}}, 404)

    def graph(handler, url, query):
        """Microsoft Graph v1.0 as documented: collections as {"value": [...], "@odata.nextLink"?}
        (https://learn.microsoft.com/graph/paging); application
        (https://learn.microsoft.com/graph/api/resources/application), servicePrincipal with
        oauth2PermissionScopes (https://learn.microsoft.com/graph/api/resources/serviceprincipal),
        oauth2PermissionGrant (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant);
        401 without the issued token, 403 when the tenant forbids, 429 with Retry-After once."""
        state["graphRequests"] += 1
        data = tenant()
        bearer = handler.headers.get("Authorization", "")
        if not bearer.startswith("Bearer ") or bearer[7:] not in state["graphTokens"]:
            return answer(handler, {"error": {"code": "InvalidAuthenticationToken"}}, 401)
        if data.get("forbid"):
            return answer(handler, {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}, 403)
        if data.get("throttleOnce") and not state["throttled"]:
            state["throttled"] = True
            handler.send_response(429)
            handler.send_header("Retry-After", "1")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        flt = query.get("$filter", "")
        def wanted(field):
            prefix = field + " eq '"
            return flt[len(prefix):-1] if flt.startswith(prefix) and flt.endswith("'") else None
        if url.path == "/v1.0/applications":
            app = data.get("application")
            if not flt:  # the admin's app registrations, to pick from
                return answer(handler, {"value": ([app] if app else []) + data.get("otherApplications", [])})
            return answer(handler, {"value": [app] if app and app.get("appId") == wanted("appId") else []})
        if url.path == "/v1.0/servicePrincipals":
            app_id = wanted("appId")
            if app_id == "00000003-0000-0000-c000-000000000000":
                return answer(handler, {"value": [{"id": data.get("graphSP"), "oauth2PermissionScopes": data.get("graphScopes", [])}]})
            app = data.get("application")
            return answer(handler, {"value": [{"id": data.get("appSP")}] if app and app.get("appId") == app_id else []})
        if url.path == "/v1.0/oauth2PermissionGrants":
            grants = [g for g in data.get("grants", []) if g.get("clientId") == wanted("clientId")] if "$skiptoken" not in query else []
            if "$skiptoken" in query:
                return answer(handler, {"value": data.get("grants", [])[1:] if query["$skiptoken"] == "2" else []})
            page = {"value": grants[:1]}
            if len(grants) > 1:
                page["@odata.nextLink"] = "https://%s/v1.0/oauth2PermissionGrants?$skiptoken=2" % handler.headers["Host"]
            return answer(handler, page)
        answer(handler, {"error": {"code": "Request_ResourceNotFound"}}, 404)

    def user():
        path = os.path.join(directory, "user.json")
        return json.load(open(path)) if os.path.exists(path) else {}

    def id_token(authority, nonce_value):
        person = user()
        tid = person.get("tid", "096d3737-42f9-4039-8320-a4737c2b3abe")
        now = int(time.time())
        claims = {"iss": "%s/%s/v2.0" % (authority, tid), "aud": person.get("clientId", ""), "tid": tid,
                  "oid": person.get("oid", "00000000-0000-4000-8000-0000000000a1"),
                  "preferred_username": person.get("preferred_username", "alice@contoso.example"), "name": person.get("name", "Alice Admin"),
                  "iat": now, "nbf": now, "exp": now + 3600, "ver": "2.0"}
        if nonce_value:
            claims["nonce"] = nonce_value
        return mint(directory, "key-1", "RS256", json.dumps(claims))

    class Handler(BaseHTTPRequestHandler):
        def end_headers(self):
            # Entra and Graph answer a single-page app's requests across origins.
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.send_header("Access-Control-Expose-Headers", "Retry-After")
            super().end_headers()

        def do_OPTIONS(self):
            # Graph's CORS preflight (the page sends Authorization).
            self.send_response(204)
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Authorization, Accept, Content-Type")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def authority(self):
            return "https://%s" % self.headers["Host"]

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.split("/")
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/hits":
                return answer(self, {"hits": state["hits"], "tokenRequests": state["tokenRequests"], "graphRequests": state["graphRequests"]})
            if url.path.startswith("/v1.0/"):
                return graph(self, url, query)
            if url.path.startswith("/subscriptions"):
                return arm(self, url, query, "GET")
            if len(parts) == 5 and parts[2:] == ["discovery", "v2.0", "keys"]:
                state["hits"] += 1
                with open(os.path.join(directory, "jwks.json")) as handle:
                    return answer(self, json.load(handle))
            if len(parts) == 5 and parts[2:] == ["oauth2", "v2.0", "authorize"]:
                redirect = query.get("redirect_uri", "")
                allowed = redirect.startswith("http://127.0.0.1:") or (redirect.startswith("https://127.0.0.1:") and redirect.endswith("/signin"))
                if not allowed or query.get("code_challenge_method") != "S256" or query.get("response_type") != "code":
                    return answer(self, {"error": "invalid_request"}, 400)
                code = b64url(os.urandom(16))
                state["codes"][code] = {"challenge": query["code_challenge"], "redirect": redirect, "nonce": query.get("nonce"),
                                        "client": query.get("client_id"), "scope": query.get("scope")}
                self.send_response(302)
                self.send_header("Location", redirect + "?" + urllib.parse.urlencode({"code": code, "state": query.get("state", "")}))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            answer(self, {"error": "not_found"}, 404)

        def do_POST(self):
            if urllib.parse.urlsplit(self.path).path.startswith("/subscriptions"):
                url = urllib.parse.urlsplit(self.path)
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                return arm(self, url, dict(urllib.parse.parse_qsl(url.query)), "POST")
            parts = urllib.parse.urlsplit(self.path).path.split("/")
            form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()))
            if len(parts) == 5 and parts[2:] == ["oauth2", "v2.0", "devicecode"]:
                device = b64url(os.urandom(16))
                state["devices"][device] = {"polls": 0, "slowed": False, "scope": form.get("scope")}
                return answer(self, {"device_code": device, "user_code": "FAKE-CODE", "verification_uri": "https://microsoft.com/devicelogin",
                                     "expires_in": 900, "interval": 1,
                                     "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-CODE to authenticate."})
            if len(parts) == 5 and parts[2:] == ["oauth2", "v2.0", "token"]:
                state["tokenRequests"] += 1
                grant = form.get("grant_type")
                if grant == "authorization_code":
                    issued = state["codes"].pop(form.get("code", ""), None)
                    if not issued or issued["redirect"] != form.get("redirect_uri") or issued["client"] != form.get("client_id"):
                        return answer(self, {"error": "invalid_grant", "error_description": "AADSTS70008: the code is unknown or used"}, 400)
                    challenge = b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                    if challenge != issued["challenge"]:
                        return answer(self, {"error": "invalid_grant", "error_description": "AADSTS50148: the code_verifier does not match"}, 400)
                    return answer(self, token_answer(self.authority(), issued["nonce"], issued["scope"]))
                if grant == "urn:ietf:params:oauth:grant-type:device_code":
                    device = state["devices"].get(form.get("device_code", ""))
                    if device is None:
                        return answer(self, {"error": "bad_verification_code"}, 400)
                    device["polls"] += 1
                    person = user()
                    if device["polls"] <= int(person.get("pending", 1)):
                        return answer(self, {"error": "authorization_pending", "error_description": "AADSTS70016: pending"}, 400)
                    if not device["slowed"]:
                        device["slowed"] = True
                        return answer(self, {"error": "slow_down"}, 400)
                    outcome = person.get("deviceOutcome", "approve")
                    if outcome == "decline":
                        return answer(self, {"error": "authorization_declined", "error_description": "AADSTS70000: the user declined"}, 400)
                    if outcome == "expire":
                        return answer(self, {"error": "expired_token", "error_description": "AADSTS70019: the code expired"}, 400)
                    return answer(self, token_answer(self.authority(), None, device["scope"]))
                return answer(self, {"error": "unsupported_grant_type"}, 400)
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
