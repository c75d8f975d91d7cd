#!/usr/bin/env python3
"""Webhooks end to end: a real handoffd sends its events to a receiver written here, which
verifies every delivery as a Standard Webhooks 1.0 receiver must — the webhook-id,
webhook-timestamp and webhook-signature headers, the timestamp within 5 minutes, the v1a Ed25519
signature of "<id>.<timestamp>.<body>" with PyNaCl against the whpk_ key `handoff admin webhook
add` printed, and message ids never reused for another body.

Checked: targets refused (http, credentials, link-local and metadata always, private and loopback
without webhook_allow_private); every event delivered, in order, with nothing secret in it; an
event filter; the receiver down for a while, then everything delivered after, in order; 410
disables the endpoint; the attempts visible to the admin. Measured: latency from a submission to
its webhook arriving (p50, p99).

  webhook_test.py --bin .build/debug [--postgres URL] [--submissions 30]
Prints the latencies and "webhook test: passed", or the failures (exit 1).
"""
import argparse, base64, json, os, ssl, subprocess, sys, tempfile, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nacl.public import PublicKey, SealedBox
from nacl.signing import VerifyKey
from nacl.exceptions import BadSignatureError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vault import Vault, free_port  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "crash"))
from crashtest import fresh_database  # noqa: E402

TOLERANCE = 300  # seconds, as the standard's reference receivers allow


class Receiver:
    """An HTTPS receiver on a fixed loopback port that can be stopped and started again."""

    def __init__(self, work):
        self.cert, self.key = os.path.join(work, "receiver-cert.pem"), os.path.join(work, "receiver-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", self.key, "-out", self.cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        self.port = free_port()
        self.keys = {}        # path -> VerifyKey
        self.received = {}    # path -> [(arrival, event)] (first arrival of each id)
        self.seen = {}        # webhook-id -> body
        self.problems, self.duplicates, self.status = [], 0, 204
        self.lock = threading.Lock()
        self.server = None

    def url(self, path):
        return "https://127.0.0.1:%d/%s" % (self.port, path)

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                arrival = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver.status
                receiver.verify(self.path.lstrip("/"), self.headers, body, arrival, accepted=200 <= status < 300)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def verify(self, path, headers, body, arrival, accepted):
        """Standard Webhooks' receiver rules, with v1a (Ed25519) signatures; a delivery answered
        with anything but 2xx is checked, not kept (the sender must send it again)."""
        with self.lock:
            msg_id, stamp, signatures = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
            if not (msg_id and stamp and signatures):
                return self.problems.append("%s: a delivery without the webhook headers" % path)
            if abs(time.time() - int(stamp)) > TOLERANCE:
                return self.problems.append("%s: timestamp %s outside the tolerance" % (path, stamp))
            signed = b"%s.%s.%s" % (msg_id.encode(), stamp.encode(), body)
            valid = False
            for entry in signatures.split(" "):
                version, _, value = entry.partition(",")
                if version != "v1a":
                    continue
                try:
                    self.keys[path].verify(signed, base64.b64decode(value))
                    valid = True
                except (BadSignatureError, ValueError):
                    pass
            if not valid:
                return self.problems.append("%s: %s has no valid v1a signature" % (path, msg_id))
            if headers.get("Content-Type") != "application/json":
                self.problems.append("%s: content type %s" % (path, headers.get("Content-Type")))
            if not accepted:
                return
            key = (path, msg_id)
            if key in self.seen:
                self.duplicates += 1
                if self.seen[key] != body:
                    self.problems.append("%s: id %s reused for another body" % (path, msg_id))
                return
            self.seen[key] = body
            event = json.loads(body)
            if set(event) != {"at", "handoffId", "id", "type"} or msg_id != "evt_%d" % event["id"]:
                self.problems.append("%s: an event of another shape: %s (%s)" % (path, sorted(event), msg_id))
            self.received.setdefault(path, []).append((arrival, event))


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--postgres")
    parser.add_argument("--submissions", type=int, default=30)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="handoff-webhooks-")
    receiver = Receiver(work)
    receiver.start()
    vault = Vault(args.bin, work, database_url=fresh_database(args.postgres) if args.postgres else None)
    base_env = {"HANDOFF_LOG_FORMAT": "text", "HANDOFF_OUTBOUND_CA_FILE": receiver.cert}
    vault.start(env=base_env)
    key_id = vault.setup_generator()
    admin = vault.admin_token
    problems = []

    def add(url, *extra):
        return vault.handoff(["admin", "webhook", "add", url, "--json"] + list(extra), token=admin, check=False)

    # Refused targets, without webhook_allow_private.
    for url, why in [("http://127.0.0.1:%d/x" % receiver.port, "https only"),
                     ("https://user:secret@example.com/x", "credentials in the URL"),
                     ("https://169.254.169.254/latest/meta-data", "link-local (cloud metadata)"),
                     ("https://[fe80::1]/x", "IPv6 link-local"),
                     ("https://127.0.0.1:%d/x" % receiver.port, "loopback without webhook_allow_private"),
                     ("https://localhost:%d/x" % receiver.port, "a name resolving to loopback"),
                     ("https://10.1.2.3/x", "RFC 1918"), ("https://[::ffff:192.168.1.1]/x", "IPv4-mapped private")]:
        result = add(url)
        if result.returncode == 0:
            problems.append("accepted %s (%s)" % (url, why))
    # With webhook_allow_private, loopback is allowed; link-local never.
    vault.stop()
    vault.start(env=dict(base_env, HANDOFF_WEBHOOK_ALLOW_PRIVATE="true"))
    if add("https://169.254.169.254/x").returncode == 0:
        problems.append("accepted a link-local target with webhook_allow_private")
    endpoints = {}
    for path, extra in [("all", []), ("submitted-only", ["--events", "handoff.submitted"])]:
        result = add(receiver.url(path), *extra)
        if result.returncode != 0:
            problems.append("webhook add %s: %s" % (path, result.stderr.strip()))
            continue
        answer = json.loads(result.stdout)
        if not answer["signingKey"].startswith("whpk_"):
            problems.append("the signing key is not a whpk_ key: %r" % answer["signingKey"][:8])
        receiver.keys[path] = VerifyKey(base64.b64decode(answer["signingKey"][len("whpk_"):]))
        endpoints[path] = answer["id"]
    listed = vault.handoff(["admin", "webhook", "list", "--json"], token=admin).stdout
    if "signingKey" in listed or "whpk_" in listed:
        problems.append("the list shows a signing key again")

    context = ssl.create_default_context(cafile=vault.ca_file)

    def submit(invite):
        recipient = PublicKey(base64.b64decode(json.loads(base64.urlsafe_b64decode(invite["inviteCode"][4:] + "==="))["recipientKey"]))
        payload = json.dumps({"v": 1, "handoffId": invite["handoffId"], "sealedAt": "2026-12-01T00:00:00Z", "values": {}}).encode()
        body = json.dumps({"sealed": base64.b64encode(SealedBox(recipient).encrypt(payload)).decode(), "recipientKeyId": key_id}).encode()
        request = urllib.request.Request(vault.url + "/v1/handoffs/%s/submissions" % invite["handoffId"], data=body, method="POST",
                                         headers={"Authorization": "Bearer " + invite["token"], "Content-Type": "application/json"})
        started = time.monotonic()
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            return started, json.load(answer)["auditIndex"]

    # Submissions, one at a time: the time from each to its webhook.
    sent = {}
    for number in range(args.submissions):
        invite = vault.invite("Customer %d" % number)
        started, index = submit(invite)
        sent[index] = started
        wait_for(lambda: any(event["id"] == index for _, event in receiver.received.get("all", [])), 10)
    arrivals = {event["id"]: arrival for arrival, event in receiver.received.get("all", [])}
    latencies = sorted((arrivals[index] - started) * 1000 for index, started in sent.items() if index in arrivals)
    if len(latencies) != len(sent):
        problems.append("%d of %d submissions reached the receiver" % (len(latencies), len(sent)))

    # The generator picks one up: a handoff.released event, which the filtered endpoint is not sent.
    generator = vault.token("generator", name="webhooks")
    pulled = vault.handoff(["pull", "--key", os.path.join(vault.generator_dir, "generator.key"), "--out", os.path.join(work, "pulled")],
                           token=generator, check=False)
    # (the sealed payloads above hold no values: pull refuses them, after fetching — the release is an event)
    # Receiver down: events wait, attempts fail, then all arrive in order.
    receiver.stop()
    down_from = len(receiver.received.get("all", []))
    for number in range(3):
        submit(vault.invite("While down %d" % number))
    time.sleep(4)
    failing = json.loads(vault.handoff(["admin", "webhook", "list", "--json"], token=admin).stdout)["webhooks"]
    if not any(endpoint["failures"] > 0 and endpoint.get("nextAttemptAt") for endpoint in failing):
        problems.append("no endpoint shows failed attempts while the receiver is down: %s" % failing)
    deliveries = json.loads(vault.handoff(["admin", "webhook", "deliveries", endpoints["all"], "--json"], token=admin).stdout)["deliveries"]
    if not any(d["outcome"].startswith("failed: could not connect") for d in deliveries):
        problems.append("the admin does not see the failed attempts: %s" % deliveries[:3])
    receiver.start()
    log = vault.handoff(["audit", "export", "--out", os.path.join(work, "audit.jsonl")], token=vault.token("auditor"), check=False)
    if not wait_for(lambda: len(receiver.received.get("all", [])) >= down_from + 3 and len(receiver.received.get("submitted-only", [])) >= args.submissions + 3, 40):
        problems.append("after the outage, not everything arrived: %d (wanted %d)" % (len(receiver.received.get("all", [])), down_from + 3))
    for path in endpoints:
        ids = [event["id"] for _, event in receiver.received.get(path, [])]
        if ids != sorted(ids):
            problems.append("%s: events out of order: %s" % (path, ids))
    types = {event["type"] for _, event in receiver.received.get("submitted-only", [])}
    if types != {"handoff.submitted"}:
        problems.append("the filtered endpoint got %s" % types)
    all_types = {event["type"] for _, event in receiver.received.get("all", [])}
    if "handoff.released" not in all_types:
        problems.append("the handoff.released event did not arrive (pull: %s)" % pulled.stderr.strip()[:200])

    # A redirect is not followed: the attempt fails (and is retried), the event waits.
    receiver.status = 307
    before = sum(len(v) for v in receiver.received.values())
    submit(vault.invite("Redirected"))
    wait_for(lambda: any("redirects are not followed" in d["outcome"] for d in json.loads(
        vault.handoff(["admin", "webhook", "deliveries", endpoints["all"], "--json"], token=admin).stdout)["deliveries"]), 10)
    deliveries = json.loads(vault.handoff(["admin", "webhook", "deliveries", endpoints["all"], "--json"], token=admin).stdout)["deliveries"]
    if not any(d["status"] == 307 and "redirects are not followed" in d["outcome"] for d in deliveries if "status" in d):
        problems.append("a 307 was not recorded as a failure: %s" % deliveries[:3])
    receiver.status = 204
    if not wait_for(lambda: sum(len(v) for v in receiver.received.values()) >= before + 2, 20):
        problems.append("the event refused with a redirect was not delivered after")

    # 410: the endpoint is disabled and sent nothing more.
    receiver.status = 410
    submit(vault.invite("Gone"))
    wait_for(lambda: all(e["state"] == "disabled" for e in json.loads(vault.handoff(["admin", "webhook", "list", "--json"], token=admin).stdout)["webhooks"]), 15)
    final = json.loads(vault.handoff(["admin", "webhook", "list", "--json"], token=admin).stdout)["webhooks"]
    if not all(e["state"] == "disabled" and "410" in e.get("disabledReason", "") for e in final):
        problems.append("410 did not disable the endpoints: %s" % final)
    before = sum(len(v) for v in receiver.received.values())
    receiver.status = 204
    submit(vault.invite("After gone"))
    time.sleep(2)
    if sum(len(v) for v in receiver.received.values()) != before:
        problems.append("a disabled endpoint was sent an event")
    removed = vault.handoff(["admin", "webhook", "remove", endpoints["all"]], token=admin, check=False)
    if removed.returncode != 0:
        problems.append("webhook remove: %s" % removed.stderr)
    with open(vault.log.name) as log_file:
        server_log = log_file.read()
    if receiver.url("all") in server_log or "whpk_" in server_log:
        problems.append("the server's log names a webhook URL or key")
    vault.stop()
    receiver.stop()
    problems += receiver.problems

    def percentile(values, share):
        return values[min(len(values) - 1, int(round(share * (len(values) - 1))))] if values else float("nan")
    print("webhook test (%s): %d submissions; latency from submission to webhook p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d re-deliveries (same id)"
          % ("postgres" if args.postgres else "sqlite", len(sent), percentile(latencies, 0.5), percentile(latencies, 0.99),
             latencies[-1] if latencies else float("nan"), receiver.duplicates))
    if problems:
        print("webhook test: FAILED\n  " + "\n  ".join(problems[:20]))
        return 1
    print("webhook test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
