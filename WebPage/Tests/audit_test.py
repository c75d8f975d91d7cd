#!/usr/bin/env python3
"""The auditor's page (/audit) in a real headless Chromium, against a real handoffd over TLS whose
checkpoints an independent witness (Tests/Tools/witness.py) cosigns.

Checks: the log loads with an auditor token and verifies in the page (the Swift verifier compiled
to WebAssembly) with the witness's cosignature and a quorum of 1; the page's export is byte for
byte `handoff audit export`'s; the filters (handoff, actor, action, outcome, time); an event's
inclusion proof checked in the page; a tampered export and a wrong vault key refused in the page;
the page's headers; axe-core finds no serious or critical violation; the token in no URL or storage.
Screenshots: audit-verified.png, audit-refused.png.

Usage: audit_test.py BIN_DIR SCREENSHOTS
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl

sys.path.insert(0, os.path.dirname(__file__))
from page_test import AXE_COUNTS, FAILURES, axe_check, browser, check, requests_made  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from vault import Vault, free_port, run  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WITNESS = os.path.join(ROOT, "Tests", "Tools", "witness.py")


def wait_status(driver, *words, timeout=20):
    WebDriverWait(driver, timeout).until(lambda d: any(w in d.find_element(By.ID, "status").text for w in words))
    return driver.find_element(By.ID, "status").text


def main():
    bin_dir, screenshots = sys.argv[1], sys.argv[2]
    os.makedirs(screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="handoff-audit-")
    vault = Vault(bin_dir, work)
    tls = os.path.join(work, "witness-tls")
    run(["/usr/bin/python3", WITNESS, "tls", tls])
    key = json.loads(run(["/usr/bin/python3", WITNESS, "keygen", "witness.test/w1"]).stdout)
    port = free_port()
    url = vault.start(env={"HANDOFF_WITNESSES": "%s https://127.0.0.1:%d" % (key["vkey"], port),
                           "HANDOFF_OUTBOUND_CA_FILE": os.path.join(tls, "ca.pem"), "HANDOFF_CHECKPOINT_INTERVAL": "4",
                           "HANDOFF_REFUSAL_WINDOW": "1s"})
    admin = vault.admin_token
    context = ssl.create_default_context(cafile=vault.ca_file)
    request = urllib.request.Request(url + "/v1/audit/checkpoint", headers={"Authorization": "Bearer " + admin})
    origin = json.loads(urllib.request.urlopen(request, context=context).read())["checkpoint"].split("\n")[0]
    witness = subprocess.Popen(["/usr/bin/python3", WITNESS, "serve", "--name", "witness.test/w1",
                                "--db", os.path.join(work, "w1.sqlite"), "--port", str(port), "--tls", tls,
                                "--log", "%s=%s" % (origin, vault.server_key), "--ready", os.path.join(work, "w1.ready")],
                               env=dict(os.environ, WITNESS_SEED=key["seed"]))
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(os.path.join(work, "w1.ready")) and time.monotonic() < deadline:
            time.sleep(0.05)
        vault.setup_generator()
        auditor = vault.token("auditor", name="page auditor")
        invites = [vault.invite("Customer %d" % index) for index in range(3)]
        # A refused request too: an outcome to filter on.
        refused = urllib.request.Request(url + "/v1/tokens", headers={"Authorization": "Bearer " + auditor})
        try:
            urllib.request.urlopen(refused, context=context)
        except urllib.error.HTTPError:
            pass
        time.sleep(3)  # the refusal's tally is audited once its 1 s window has closed

        with urllib.request.urlopen(url + "/audit", context=context) as response:
            headers = response.headers
        check("default-src 'none'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff", "the auditor page's headers")

        home = os.path.join(work, "home")
        nssdb = os.path.join(home, ".pki", "nssdb")
        os.makedirs(nssdb)
        run(["certutil", "-d", "sql:" + nssdb, "-N", "--empty-password"])
        run(["certutil", "-d", "sql:" + nssdb, "-A", "-t", "C,,", "-n", "handoff-vault-dev", "-i", vault.ca_file])
        driver = browser(home)
        try:
            driver.get(url + "/audit")
            wait_status(driver, "Paste your auditor token")
            axe_check(driver, "auditor page, empty")
            driver.find_element(By.NAME, "auditorToken").send_keys(auditor)
            driver.find_element(By.NAME, "serverKey").send_keys(vault.server_key)
            driver.find_element(By.NAME, "witnessKeys").send_keys(key["vkey"])
            driver.find_element(By.NAME, "quorum").clear()
            driver.find_element(By.NAME, "quorum").send_keys("1")
            driver.find_element(By.ID, "load-log").click()
            said = wait_status(driver, "events verified", "does not verify", "refused", "does not accept")
            check("events verified" in said and "cosigned by witness.test/w1" in said, "the log verifies in the page, witnessed: %r" % said)
            check(driver.switch_to.active_element.get_attribute("id") == "status", "the verdict has focus")
            witnesses = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#witness-status li")]
            check(len(witnesses) == 1 and "cosigned this checkpoint" in witnesses[0], "the witness's status: %r" % witnesses)
            size = int(said.split(" ")[0])
            rows = driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")
            check(len(rows) == size, "every event listed (%d of %d)" % (len(rows), size))
            axe_check(driver, "auditor page, verified")
            driver.save_screenshot(os.path.join(screenshots, "audit-verified.png"))

            # The page's export is `handoff audit export`'s, byte for byte (no event was written between).
            downloads = os.path.join(work, "downloads")
            os.makedirs(downloads)
            driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
            driver.find_element(By.ID, "export-download").click()
            target = os.path.join(downloads, "audit-%d.jsonl" % size)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not os.path.exists(target):
                time.sleep(0.1)
            cli_export = os.path.join(work, "cli.jsonl")
            vault.handoff(["audit", "export", "--out", cli_export], token=auditor)
            check(os.path.exists(target) and open(target, "rb").read() == open(cli_export, "rb").read(), "the page's export is the CLI's, byte for byte")
            verified = vault.handoff(["audit", "verify", "--file", target, "--public-key", vault.server_key, "--witness", key["vkey"], "--json"], check=False)
            check(verified.returncode == 0, "the CLI verifies the page's export: %s" % verified.stdout)

            # Filters.
            def shown():
                return [tr.get_attribute("data-index") for tr in driver.find_elements(By.CSS_SELECTOR, "#events tbody tr")]
            Select(driver.find_element(By.ID, "filter-action")).select_by_value("handoff.created")
            check(len(shown()) == 3, "filter by action: %r" % shown())
            Select(driver.find_element(By.ID, "filter-action")).select_by_value("")
            driver.find_element(By.ID, "filter-handoff").send_keys(invites[1]["handoffId"])
            check(len(shown()) == 1, "filter by handoff: %r" % shown())
            driver.find_element(By.ID, "filter-handoff").clear()
            driver.execute_script("document.getElementById('filter-handoff').dispatchEvent(new Event('input', {bubbles: true}))")
            Select(driver.find_element(By.ID, "filter-outcome")).select_by_value("denied")
            denied = shown()
            check(len(denied) >= 1, "filter by outcome: %r" % denied)
            Select(driver.find_element(By.ID, "filter-outcome")).select_by_value("")
            driver.find_element(By.ID, "filter-actor").send_keys("admin")
            admin_rows = shown()
            check(0 < len(admin_rows) < size, "filter by actor: %r" % admin_rows)
            driver.find_element(By.ID, "filter-actor").clear()
            driver.execute_script("""const f = document.getElementById('filter-from'); f.value = '2000-01-01T00:00';
                f.dispatchEvent(new Event('input', {bubbles: true}));
                const t = document.getElementById('filter-to'); t.value = '2000-01-02T00:00'; t.dispatchEvent(new Event('input', {bubbles: true}));""")
            check(shown() == [], "filter by time: nothing in 2000")
            driver.execute_script("""for (const id of ['filter-from', 'filter-to']) { const f = document.getElementById(id); f.value = '';
                f.dispatchEvent(new Event('input', {bubbles: true})); }""")
            check(len(shown()) == size, "the filters cleared")

            # One event's inclusion proof, checked in the page.
            driver.find_element(By.CSS_SELECTOR, "#events tbody tr[data-index='2'] button.check-proof").click()
            said = wait_status(driver, "inclusion proof checks out", "proof fails")
            check("checks out" in said, "an inclusion proof checked in the page: %r" % said)

            # A tampered export is refused in the page, naming the event.
            lines = open(cli_export, "rb").read().split(b"\n")
            lines[1] = lines[1].replace(b"handoff.created", b"handoff.revoked") if b"handoff.created" in lines[1] else lines[1].replace(b"\"success\"", b"\"denied\"")
            tampered = os.path.join(work, "tampered.jsonl")
            open(tampered, "wb").write(b"\n".join(lines))
            driver.find_element(By.ID, "exportFile").send_keys(tampered)
            said = wait_status(driver, "tampered.jsonl:")
            check("does not verify" in said and driver.find_element(By.ID, "status-box").get_attribute("data-kind") == "error", "a tampered export is refused: %r" % said)
            axe_check(driver, "auditor page, tampered export refused")
            driver.save_screenshot(os.path.join(screenshots, "audit-refused.png"))

            # Another vault key: nothing verifies.
            driver.find_element(By.NAME, "serverKey").clear()
            driver.find_element(By.NAME, "serverKey").send_keys("9Q92ftds5hkpJiVPTK0n+aMQnBixXRQH4pUng3w887o=")
            driver.find_element(By.ID, "load-log").click()
            said = wait_status(driver, "does not verify", "events verified")
            check("does not verify" in said and "not signed by this key" in said, "another key: %r" % said)

            for method, request_url, _ in requests_made(driver):
                check(auditor not in request_url, "the token in a URL: %s" % request_url)
            storage = driver.execute_script("return [localStorage.length, sessionStorage.length, document.cookie]")
            check(storage == [0, 0, ""], "storage used: %r" % storage)
        finally:
            driver.quit()
    finally:
        witness.kill()
        vault.stop()
    print("axe (violations by impact, per state): " + json.dumps({k: v for k, v in AXE_COUNTS.items() if k.startswith("auditor")}, sort_keys=True))
    print("auditor page: %d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
