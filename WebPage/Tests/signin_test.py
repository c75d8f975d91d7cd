#!/usr/bin/env python3
"""Sign in with Microsoft in the customer's page, in a real headless Chromium, against a real
handoffd and a fake Entra (Tests/Tools/fake_entra.py: PKCE S256 checked, ID tokens minted by
PyJWT, CORS as Entra answers single-page apps). Both CAs are trusted through a private NSS
database; nothing is skipped.

Checks: the policy's connect-src names exactly the configured authority; an invite that requires
a proof cannot be sent before signing in; the popup lands on the vault's /signin and hands the
code back; the page shows who signed in; the values go out sealed with the proof (v2) and the
generator verifies it (`handoff pull --require-tenant-proof`); the invite's token never goes to the
authority, and nothing of the sign-in is left in the address bar, storage or cookies.

Usage: signin_test.py BIN_DIR SCREENSHOTS
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
import ssl

sys.path.insert(0, os.path.dirname(__file__))
from page_test import FIXTURES, browser, check, requests_made, wait_for_verdict, load_values, FAILURES  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from vault import Vault, run  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Tools")
CLIENT_ID = "3f0a6c2e-8b1d-4e7a-9c55-1d2e3f4a5b6c"
TENANT = "096d3737-42f9-4039-8320-a4737c2b3abe"


def main():
    bin_dir, screenshots = sys.argv[1], sys.argv[2]
    os.makedirs(screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="handoff-signin-")
    keys = os.path.join(work, "entra-keys")
    run([sys.executable, os.path.join(TOOLS, "fake_entra.py"), "keys", keys])
    with open(os.path.join(keys, "user.json"), "w") as handle:
        json.dump({"clientId": CLIENT_ID}, handle)
    entra = subprocess.Popen([sys.executable, os.path.join(TOOLS, "fake_entra.py"), "serve", keys, work], stdout=subprocess.PIPE, text=True)
    entra_ca, authority = entra.stdout.readline().strip(), entra.stdout.readline().strip()
    vault = Vault(bin_dir, work)
    try:
        url = vault.start(env={"HANDOFF_REFUSAL_LIMIT": "1000", "HANDOFF_ENTRA_CLIENT_ID": CLIENT_ID, "HANDOFF_ENTRA_AUTHORITY": authority})
        vault.setup_generator()
        generator = vault.token("generator", name="sign-in test")
        created = json.loads(vault.handoff(["admin", "invite", "--customer", "Contoso", "--tenant-proof", "required", "--tenant", TENANT, "--json"],
                                           token=vault.admin_token).stdout)
        home = os.path.join(work, "home")
        nssdb = os.path.join(home, ".pki", "nssdb")
        os.makedirs(nssdb)
        run(["certutil", "-d", "sql:" + nssdb, "-N", "--empty-password"])
        run(["certutil", "-d", "sql:" + nssdb, "-A", "-t", "C,,", "-n", "handoff-vault-dev", "-i", vault.ca_file])
        run(["certutil", "-d", "sql:" + nssdb, "-A", "-t", "C,,", "-n", "fake-entra", "-i", entra_ca])

        with urllib.request.urlopen(url + "/", context=ssl.create_default_context(cafile=vault.ca_file)) as response:
            policy = response.headers["Content-Security-Policy"]
        check("connect-src 'self' %s;" % authority in policy, "the policy connects to exactly the authority: %s" % policy)

        driver = browser(home)
        try:
            driver.get(url + "/")
            wait_for_verdict(driver)
            check(not driver.find_element(By.ID, "sign-in").is_displayed(), "no sign-in button before an invite is pasted")
            driver.find_element(By.NAME, "inviteCode").send_keys(created["inviteCode"])
            check(driver.find_element(By.ID, "sign-in").is_displayed(), "the invite offers Sign in with Microsoft")
            load_values(driver, os.path.join(FIXTURES, "valid-minimal.json"))
            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            WebDriverWait(driver, 10).until(lambda d: "requires Sign in with Microsoft" in d.find_element(By.ID, "status").text)
            check(not any("/submissions" in u for _, u, _ in requests_made(driver)), "nothing is sent before signing in")

            main_window = driver.current_window_handle
            driver.find_element(By.ID, "sign-in").click()
            WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "signed-in-as").is_displayed()
                                            or "Nothing was sent" in d.find_element(By.ID, "status").text)
            shown = driver.find_element(By.ID, "signed-in-as").text
            check(shown == "Signed in as alice@contoso.example (Alice Admin), tenant %s." % TENANT,
                  "who signed in: %r (%s)" % (shown, driver.find_element(By.ID, "status").text))
            check(driver.current_window_handle == main_window and len(driver.window_handles) == 1, "the popup closed itself")
            driver.save_screenshot(os.path.join(screenshots, "7-signed-in.png"))

            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "receipt").is_displayed() or "Nothing was sent" in d.find_element(By.ID, "status").text
                                            or "refused" in d.find_element(By.ID, "status").text)
            check(driver.find_element(By.ID, "receipt").is_displayed(), "sent with the proof: %s" % driver.find_element(By.ID, "status").text)

            made = requests_made(driver)
            token = json.loads(__import__("base64").urlsafe_b64decode(created["inviteCode"][4:] + "==="))["token"]
            for method, address, body in made:
                if address.startswith(authority):
                    check(token not in address and token not in body, "the invite's token went to the authority: %s" % address)
                else:
                    check(address.startswith(url) or address.startswith("data:") or address.startswith("blob:") or address == "about:blank",
                          "a request left the vault and the authority: %s %s" % (method, address))
            check(any(a.startswith(authority + "/organizations/oauth2/v2.0/token") for _, a, _ in made), "the page redeemed the code itself")
            check(any(a.startswith(authority + "/organizations/discovery/v2.0/keys") for _, a, _ in made), "the page read the authority's keys")
            stored = driver.execute_script("return [localStorage.length, sessionStorage.length, document.cookie, location.href]")
            check(stored[:3] == [0, 0, ""] and stored[3] == url + "/", "nothing of the sign-in kept: %r" % stored)
        finally:
            driver.quit()

        bundle = os.path.join(work, "ca-bundle.pem")
        with open(bundle, "wb") as out:
            out.write(open(vault.ca_file, "rb").read() + open(entra_ca, "rb").read())
        pulled = run([vault.handoff_bin, "pull", "--key", os.path.join(vault.generator_dir, "generator.key"), "--out", os.path.join(work, "pulled"),
                      "--json", "--require-tenant-proof", "--entra-client-id", CLIENT_ID, "--entra-authority", authority],
                     env=dict(vault.env(generator), HANDOFF_CA_FILE=bundle), check=False)
        check(pulled.returncode == 0, "pull: %s" % pulled.stderr)
        entries = json.loads(pulled.stdout or "{}").get("pulled", [])
        proof = entries[0]["tenantProof"] if entries else {}
        check(proof.get("status") == "verified" and proof.get("binding") == "nonce" and proof.get("user") == "alice@contoso.example",
              "the generator verifies the page's proof: %r" % proof)
    finally:
        vault.stop()
        entra.terminate()
    print("sign-in page: %d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
