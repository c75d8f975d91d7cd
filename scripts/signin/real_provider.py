#!/usr/bin/env python3
"""Sign in with Microsoft against a real OpenID provider: oidc-provider-mock from PyPI (in
.venv-oidc), shaped like Entra by Tests/Tools/oidc_mock_entra.py. The real `handoff` signs in with
authorization code + PKCE and a loopback redirect (a script submits the provider's login form as
the browser), checks the ID token against the provider's keys, seals it with the values; the real
`handoff pull --require-tenant-proof` verifies it against the same keys. What the fake Entra of the
other tests asserts by construction, an independent implementation confirms here.

Usage: scripts/signin/real_provider.py BIN_DIR
"""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from vault import Vault, run  # noqa: E402

TOOLS = os.path.join(ROOT, "Tests", "Tools")
CLIENT_ID = "3f0a6c2e-8b1d-4e7a-9c55-1d2e3f4a5b6c"
TENANT = "096d3737-42f9-4039-8320-a4737c2b3abe"
FIXTURE = os.path.realpath(os.path.join(ROOT, "..", "shared", "fixtures", "values", "valid-minimal.json"))


def provider_python():
    """.venv-oidc's Python with oidc-provider-mock (made once, like .venv-web)."""
    venv = os.path.join(ROOT, ".venv-oidc")
    python = os.path.join(venv, "bin", "python")
    if subprocess.run([python, "-c", "import oidc_provider_mock"], capture_output=True).returncode != 0 if os.path.exists(python) else True:
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--clear", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "oidc-provider-mock==0.3.4"], check=True)
    return python


def main():
    bin_dir = sys.argv[1]
    work = tempfile.mkdtemp(prefix="handoff-oidc-")
    claims = {"tid": TENANT, "preferred_username": "alice@contoso.example", "name": "Alice Admin", "oid": "00000000-0000-4000-8000-0000000000a1"}
    provider = subprocess.Popen([provider_python(), os.path.join(TOOLS, "oidc_mock_entra.py"), work, json.dumps(claims)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ca, authority = provider.stdout.readline().strip(), provider.stdout.readline().strip()
    vault = Vault(bin_dir, work)
    failures = []
    try:
        if not authority.startswith("https://"):
            raise SystemExit("oidc-provider-mock did not start")
        vault.start(env={"HANDOFF_ENTRA_CLIENT_ID": CLIENT_ID, "HANDOFF_ENTRA_AUTHORITY": authority})
        vault.setup_generator()
        generator = vault.token("generator", name="oidc test")
        created = json.loads(vault.handoff(["admin", "invite", "--customer", "Contoso", "--tenant-proof", "required", "--tenant", TENANT, "--json"],
                                           token=vault.admin_token).stdout)
        invite = os.path.join(work, "invite.txt")
        with open(invite, "w") as handle:
            handle.write(created["inviteCode"] + "\n")
        bundle = os.path.join(work, "ca-bundle.pem")
        with open(bundle, "wb") as out:
            out.write(open(vault.ca_file, "rb").read() + open(ca, "rb").read())
        environment = dict(vault.env(), HANDOFF_CA_FILE=bundle, MOCK_CA=ca, BROWSER=os.path.join(TOOLS, "play_mock_browser.py"))
        started = time.monotonic()
        submitted = run([vault.handoff_bin, "submit", "--values", FIXTURE, "--invite-file", invite], env=environment, check=False)
        seconds = time.monotonic() - started
        plain_invite = os.path.join(work, "plain.txt")
        with open(plain_invite, "w") as handle:
            handle.write(vault.invite("Fabrikam")["inviteCode"] + "\n")
        started = time.monotonic()
        run([vault.handoff_bin, "submit", "--values", FIXTURE, "--invite-file", plain_invite], env=environment)
        plain = time.monotonic() - started
        if submitted.returncode != 0 or "Signed in as alice@contoso.example (Alice Admin), tenant %s" % TENANT not in submitted.stdout:
            failures.append("submit with the real provider's sign-in: %s %s" % (submitted.stdout, submitted.stderr))
        pulled = run([vault.handoff_bin, "pull", "--key", os.path.join(vault.generator_dir, "generator.key"), "--out", os.path.join(work, "pulled"),
                      "--json", "--entra-client-id", CLIENT_ID, "--entra-authority", authority],
                     env=dict(vault.env(generator), HANDOFF_CA_FILE=bundle), check=False)
        proofs = {entry["handoffId"]: entry["tenantProof"] for entry in json.loads(pulled.stdout or "{}").get("pulled", [])}
        proof = proofs.get(created["handoffId"], {})
        if proof.get("status") != "verified" or proof.get("binding") != "nonce" or proof.get("user") != "alice@contoso.example":
            failures.append("the generator's check of the real provider's token: %r %s" % (proof, pulled.stderr))
        print("real OpenID provider (oidc-provider-mock): submit with sign-in %.2f s, without %.2f s; generator: %s" % (seconds, plain, proof.get("status")))
    finally:
        vault.stop()
        provider.terminate()
    for failure in failures:
        print("FAIL: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
