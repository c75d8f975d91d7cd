#!/usr/bin/env python3
"""Sign in with Microsoft in the customer's page, in a real headless Chromium, against a real
handoffd and a fake Entra (Tests/Tools/fake_entra.py: PKCE S256 checked, ID tokens minted by
PyJWT, CORS as Entra answers single-page apps). Both CAs are trusted through a private NSS
database; nothing is skipped.

Checks: the policy's connect-src names exactly the configured authority (and Graph: the same fake
here); an invite that requires
a proof cannot be sent before signing in; the popup lands on the vault's /signin and hands the
code back; the page shows who signed in; the values go out sealed with the proof (v2) and the
generator verifies it (`handoff pull --require-tenant-proof`); the invite's token never goes to the
authority, and nothing of the sign-in is left in the address bar, storage or cookies. The live
check: the app registration read from the fake Graph, shown as Steps 1–4 with ✓ / ✗, one mistake
one finding, then all ✓ once it is fixed. Fill from my tenant: sign in, pick the app registration,
pick the Communication Services resource, send — no value typed; the generator opens exactly the
fake tenant's values.

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
from page_test import AXE_COUNTS, FIXTURES, axe_check, browser, check, requests_made, wait_for_verdict, load_values, FAILURES  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from vault import Vault, run  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Tools")
CLIENT_ID = "3f0a6c2e-8b1d-4e7a-9c55-1d2e3f4a5b6c"
TENANT = "096d3737-42f9-4039-8320-a4737c2b3abe"
SCOPE_ID = "8b7f2a8c-0000-4000-8000-00000000a001"
PERMISSIONS = ["OnlineMeetings.ReadWrite", "Chat.ReadWrite", "Contacts.Read", "User.Read.All", "User.Read", "offline_access"]


def write_tenant(keys, values, teams_web=True, change=None):
    """The fake Graph's tenant: the app registration of `values` done as the steps say (Teams web
    pre-authorized or not), with `change` applied to it."""
    ids = {name: "a000000%d-0000-4000-8000-000000000000" % n for n, name in enumerate(PERMISSIONS)}
    clients = ["1fec8e78-bce4-4aaf-ab1b-5451cc387264"] + (["5e3ce6c0-2b1f-4285-8d4b-75ee78787346"] if teams_web else [])
    application = {
        "appId": values["clientId"], "signInAudience": "AzureADMultipleOrgs", "web": {"redirectUris": values["redirectUris"]},
        "identifierUris": [values["applicationIdUri"]],
        "api": {"oauth2PermissionScopes": [{"id": SCOPE_ID, "value": "access_as_user", "isEnabled": True, "type": "User"}],
                "preAuthorizedApplications": [{"appId": c, "delegatedPermissionIds": [SCOPE_ID]} for c in clients]},
        "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000",
                                    "resourceAccess": [{"id": ids[p], "type": "Scope"} for p in PERMISSIONS]}],
    }
    if change:
        change(application)
    with open(os.path.join(keys, "tenant.json"), "w") as handle:
        json.dump({"application": application, "graphSP": "b1c2d3e4-0000-4000-8000-0000000000c1", "appSP": "c0000000-0000-4000-8000-000000000001",
                   "graphScopes": [{"id": ids[p], "value": p} for p in PERMISSIONS], "grants": [], "throttleOnce": True}, handle)


def scope(enabled, kind):
    return lambda app: app["api"].update(oauth2PermissionScopes=[{"id": SCOPE_ID, "value": "access_as_user", "isEnabled": enabled, "type": kind}])


# One registration per mistake, each step's alone, and its one finding (the CLI's test has the same table).
MISTAKES = [
    ("single tenant", lambda app: app.update(signInAudience="AzureADMyOrg"), "1",
     "the app registration accepts accounts in this organizational directory only (single tenant), not accounts in any organizational directory"),
    ("redirect URI missing", lambda app: app.update(web={"redirectUris": []}), "2",
     "https://altouraremoteacs.azurewebsites.net/auth/callback is not a redirect URI of the app registration"),
    ("Application ID URI missing", lambda app: app.update(identifierUris=[]), "3",
     "the app registration's Application ID URI is not api://altouraremoteacs.azurewebsites.net/14a03569-d26b-4496-92e5-dfe8cb1855fe"),
    ("scope disabled", scope(False, "User"), "3", "the scope access_as_user is disabled"),
    ("admins only", scope(True, "Admin"), "3", "only admins can consent to the scope access_as_user"),
    ("no scope", lambda app: app["api"].update(oauth2PermissionScopes=[]), "3", "the app registration exposes no scope access_as_user"),
    ("Teams web not pre-authorized", lambda app: app["api"].update(preAuthorizedApplications=[{"appId": "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "delegatedPermissionIds": [SCOPE_ID]}]), "3",
     "Teams web (5e3ce6c0-2b1f-4285-8d4b-75ee78787346) is not pre-authorized for access_as_user"),
    ("a Graph permission missing", lambda app: app["requiredResourceAccess"][0].update(
        resourceAccess=[a for a in app["requiredResourceAccess"][0]["resourceAccess"] if a["id"] != "a0000001-0000-4000-8000-000000000000"]), "4",
     "the app registration does not request the Microsoft Graph permission Chat.ReadWrite"),
]


def checklist(driver):
    """The checklist's items as (step, ok, text), read in one script: the page replaces them while
    a check runs, so element handles could go stale between reads."""
    return [tuple(item) for item in driver.execute_script(
        "return Array.from(document.querySelectorAll('#setup-checklist > li[data-step]')).map(li => [li.dataset.step, String(li.dataset.state === 'ok'), li.innerText])")]


def fill_from_tenant(vault, url, home, keys, work, generator, bundle, authority, screenshots):
    """Fill from my tenant: zero typed values; the generator opens exactly the tenant's values."""
    values = json.load(open(os.path.join(FIXTURES, "valid-minimal.json")))
    write_tenant(keys, values)
    tenant = json.load(open(os.path.join(keys, "tenant.json")))
    subscription = "5a1b2c3d-0000-4000-8000-00000000d001"
    host = values["acsEndpoint"].split("/")[2]
    tenant["otherApplications"] = [{"appId": "99999999-0000-4000-8000-0000000000e1", "displayName": "Another app", "createdDateTime": "2026-01-02T03:04:05Z"}]
    tenant["application"]["displayName"] = "Altoura Remote Expert"
    tenant["application"]["createdDateTime"] = "2026-11-20T10:00:00Z"
    tenant["subscriptions"] = [{"subscriptionId": subscription, "displayName": "Contoso production"}]
    tenant["acsResources"] = [{
        "resource": {"id": "/subscriptions/%s/resourceGroups/remote-expert/providers/Microsoft.Communication/communicationServices/altoura-remote-expert-acs" % subscription,
                     "name": "altoura-remote-expert-acs", "location": "global", "properties": {"hostName": host, "dataLocation": "Europe"}},
        "keys": {"primaryKey": "unused", "secondaryKey": "unused", "primaryConnectionString": values["acsConnectionString"], "secondaryConnectionString": "unused"},
    }]
    with open(os.path.join(keys, "tenant.json"), "w") as handle:
        json.dump(tenant, handle)
    created = json.loads(vault.handoff(["admin", "invite", "--customer", "Fabrikam", "--tenant-proof", "required", "--json"], token=vault.admin_token).stdout)
    driver = browser(home)
    try:
        driver.get(url + "/")
        wait_for_verdict(driver)
        driver.find_element(By.NAME, "inviteCode").send_keys(created["inviteCode"])
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "fill-from-tenant").is_displayed())
        driver.find_element(By.ID, "fill-from-tenant").click()
        WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "fill-area").is_displayed() or "Nothing was sent" in d.find_element(By.ID, "status").text)
        options = [o.text for o in driver.find_elements(By.CSS_SELECTOR, "select[name=appRegistration] option")]
        check(len(options) == 3 and options[1].startswith("Altoura Remote Expert — %s" % values["clientId"]), "the app registrations listed: %r" % options)
        Select(driver.find_element(By.NAME, "appRegistration")).select_by_value(values["clientId"])
        driver.find_element(By.ID, "choose-acs").click()
        try:
            WebDriverWait(driver, 20).until(lambda d: d.find_element(By.NAME, "acsResource").is_enabled() or "Nothing was sent" in d.find_element(By.ID, "status").text)
        except Exception:
            print("status:", driver.find_element(By.ID, "status").text, "log:", driver.get_log("browser")[-5:])
            raise
        Select(driver.find_element(By.NAME, "acsResource")).select_by_visible_text("altoura-remote-expert-acs — %s" % host)
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.NAME, "acsEndpoint").get_attribute("value") != ""
                                        or "could not" in d.find_element(By.ID, "status").text)
        axe_check(driver, "filled from the tenant")
        driver.save_screenshot(os.path.join(screenshots, "9-filled-from-tenant.png"))
        check(driver.find_element(By.NAME, "acsConnectionString").get_attribute("type") == "password", "the connection string is not shown")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "result").is_displayed() or "Nothing was sent" in d.find_element(By.ID, "status").text
                                        or "refused" in d.find_element(By.ID, "status").text)
        check(driver.find_element(By.ID, "result").is_displayed(), "sent after filling from the tenant: %s" % driver.find_element(By.ID, "status").text)
    finally:
        driver.quit()
    out = os.path.join(work, "pulled-filled")
    pulled = run([vault.handoff_bin, "pull", "--key", os.path.join(vault.generator_dir, "generator.key"), "--out", out, "--json", "--require-tenant-proof",
                  "--entra-client-id", CLIENT_ID, "--entra-authority", authority], env=dict(vault.env(generator), HANDOFF_CA_FILE=bundle), check=False)
    check(pulled.returncode == 0, "pull after filling: %s" % pulled.stderr)
    opened = json.load(open(os.path.join(out, created["handoffId"] + ".json"))) if pulled.returncode == 0 else {}
    check(opened == values, "the generator opens exactly the tenant's values: %r" % sorted(k for k in opened if opened.get(k) != values.get(k)))


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
        url = vault.start(env={"HANDOFF_REFUSAL_LIMIT": "1000", "HANDOFF_ENTRA_CLIENT_ID": CLIENT_ID, "HANDOFF_ENTRA_AUTHORITY": authority,
                               "HANDOFF_GRAPH_URL": authority, "HANDOFF_ARM_URL": authority})
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
            WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "sign-in").is_displayed())
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
            axe_check(driver, "signed in")
            driver.save_screenshot(os.path.join(screenshots, "7-signed-in.png"))

            driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "result").is_displayed() or "Nothing was sent" in d.find_element(By.ID, "status").text
                                            or "refused" in d.find_element(By.ID, "status").text)
            check(driver.find_element(By.ID, "result").is_displayed(), "sent with the proof: %s" % driver.find_element(By.ID, "status").text)

            # The live check: each step's mistake alone gives its one finding, under its step.
            values = json.load(open(os.path.join(FIXTURES, "valid-minimal.json")))
            for name, change, step, message in MISTAKES:
                write_tenant(keys, values, change=change)
                before = driver.find_element(By.ID, "setup-checklist").get_attribute("innerHTML")
                driver.find_element(By.ID, "check-setup").click()
                WebDriverWait(driver, 20).until(lambda d: (d.find_element(By.ID, "setup-checklist").get_attribute("innerHTML") != before
                                                           and "thing" in d.find_element(By.ID, "status").text)
                                                or "could not" in d.find_element(By.ID, "status").text or "refused" in d.find_element(By.ID, "status").text)
                failing = [(s, text) for s, ok, text in checklist(driver) if ok == "false"]
                check(len(failing) == 1 and failing[0][0] == step and message + "." in failing[0][1] and "(1 to fix)" in failing[0][1],
                      "%s: the page shows %r" % (name, failing))
                if name == "Teams web not pre-authorized":
                    axe_check(driver, "setup checklist")
                    driver.save_screenshot(os.path.join(screenshots, "8-setup-checklist.png"))

            # Fixed: every step ✓.
            write_tenant(keys, values, teams_web=True)
            driver.find_element(By.ID, "check-setup").click()
            WebDriverWait(driver, 20).until(lambda d: all(ok == "true" for _, ok, _ in checklist(d)) and checklist(d)
                                            or "could not" in d.find_element(By.ID, "status").text)
            check([ok for _, ok, _ in checklist(driver)] == ["true"] * 4, "all ✓ once fixed: %r" % checklist(driver))

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

        fill_from_tenant(vault, url, home, keys, work, generator, bundle, authority, screenshots)
    finally:
        vault.stop()
        entra.terminate()
    print("axe (violations by impact, per state): " + json.dumps(AXE_COUNTS, sort_keys=True))
    print("sign-in page: %d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
