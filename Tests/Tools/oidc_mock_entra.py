#!/usr/bin/env python3
"""A real OpenID provider for the sign-in test: oidc-provider-mock (PyPI; authorization code with
signed ID tokens, a login form), shaped like Entra where the CLI expects it — its authorize,
token and key endpoints also under Entra's paths (/organizations/oauth2/v2.0/…,
/organizations/discovery/v2.0/keys), its issuer template made Entra's (<authority>/<tid>/v2.0),
and the code grant open to public clients (token endpoint auth "none", as Entra's native and
single-page apps) — served over TLS on a free loopback port. The mock (0.3.4) does not check
PKCE; the fake Entra of the other tests does.

  oidc_mock_entra.py WORK CLAIMS_JSON   CLAIMS for user "alice" (tid, preferred_username, …);
                                        prints the CA file and the URL, then serves until killed
"""
import json
import os
import subprocess
import sys

import flask
from authlib.jose import JsonWebKey
import oidc_provider_mock
import oidc_provider_mock._app as mock
from werkzeug.serving import make_server


def main(work, claims):
    claims = json.loads(claims)
    tenant = claims["tid"]
    original = mock.OpenIDCode.get_jwt_config

    def entra_issuer(self, grant, client=None):
        config = original(self, grant, client)
        config["iss"] = "%s/%s/v2.0" % (flask.request.host_url.rstrip("/"), tenant)
        # Entra names the signing key in every token's header (kid), as the key set names it.
        config["kid"] = JsonWebKey.import_key(config["key"]).thumbprint()
        return config

    mock.OpenIDCode.get_jwt_config = entra_issuer

    class PublicClientCode(mock.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

    mock.AuthorizationCodeGrant = PublicClientCode
    app = oidc_provider_mock.app(require_nonce=True, user_claims=[oidc_provider_mock.User(sub="alice", claims=claims)])
    views = app.view_functions
    app.add_url_rule("/organizations/oauth2/v2.0/authorize", "entra_authorize", views["oidc-provider-mock.authorize"], methods=["GET", "POST"])
    app.add_url_rule("/organizations/oauth2/v2.0/token", "entra_token", views["oidc-provider-mock.issue_token"], methods=["POST"])
    app.add_url_rule("/organizations/discovery/v2.0/keys", "entra_keys", views["oidc-provider-mock.jwks"], methods=["GET"])
    cert, key = os.path.join(work, "oidc-cert.pem"), os.path.join(work, "oidc-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    server = make_server("127.0.0.1", 0, app, ssl_context=(cert, key), threaded=True)
    print(cert, flush=True)
    print("https://127.0.0.1:%d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
