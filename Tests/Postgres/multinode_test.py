#!/usr/bin/env python3
"""Two handoffd nodes on one PostgreSQL 15 (a private server started by make test): real
binaries, real TLS, a real database.

1. A handoff crosses nodes: invite on A, submit on B, status on A, pull on B, ack on A; a token
   revoked on A is refused by B (which had it cached) within 1 s.
2. Concurrent submissions to both nodes; node B is killed with SIGKILL in the middle: every
   receipted submission is in the database with its audit event, node A never answers 5xx, B
   restarts, and both nodes export byte-identical audit logs that verify offline.
3. PostgreSQL stopped under both nodes: /readyz answers 503 and a submission fails cleanly (503);
   started again, both nodes are ready within 30 s without being restarted, and submissions work.
2b. A node stopped (SIGSTOP) while it holds the audit lock: the other node answers 503 "try again"
   within 6 s and /readyz 503; PostgreSQL ends the stalled session, writes go on, and the stopped
   node recovers once continued.
0. TLS to the database: on by default, verify-full with sslrootcert, typos and unverifiable
   certificates refused.

Usage: multinode_test.py BIN_DIR PG_DIR PG_PORT
Prints the failover figures (requests lost, seconds unavailable) for the closing note.
"""
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from vault import Vault, database_url, run  # noqa: E402

VALUES = os.path.join(ROOT, "config", "values.example.json")
PSQL = "/usr/lib/postgresql/15/bin/psql"
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL: " + message, flush=True)


def sql(url, statement):
    return subprocess.run([PSQL, url, "-qtAc", statement], capture_output=True, text=True, check=True).stdout.strip()


def ready(node):
    context = ssl.create_default_context(cafile=node.ca_file)
    try:
        with urllib.request.urlopen(node.url + "/readyz", context=context, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def anonymous_status(node):
    """A request without a credential (refused without asking the database): its status."""
    request = urllib.request.Request(node.url + "/v1/handoffs")
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=node.ca_file), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def status_with(node, path, token):
    """A GET with a credential: its status."""
    request = urllib.request.Request(node.url + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=node.ca_file), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def write_invite(work, name, code):
    path = os.path.join(work, name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(code + "\n")
    return path


def submit(node, server_url, invite_file):
    return node.handoff(["submit", "--values", VALUES, "--invite-file", invite_file, "--server", server_url, "--json"], check=False)


def statuses(node, since=0):
    """HTTP statuses in a node's log (one line per request: method, path, status)."""
    text = open(node.log.name).read()[since:]
    return [int(m) for m in re.findall(r'(?:GET|POST|PUT|DELETE) /[^ "]* (\d{3})', text)]


def database_tls(bin_dir, work, pg_dir, pg_port, admin_url):
    """0. TLS to PostgreSQL: sslmode require by default, verify-full checks the certificate against
    sslrootcert and the host name; a misspelt parameter, allow/prefer, and verify-full by IP
    address are refused before anything connects (78, naming the parameter)."""
    handoffd = os.path.join(bin_dir, "handoffd")
    data = os.path.join(work, "tls-probe")
    ca = "%s/tls/ca.pem" % pg_dir

    def purge(url):
        return run([handoffd, "purge", "--now", "--data-dir", data, "--database-url", url], check=False)

    # A data directory whose database is vault_tls: the default (no sslmode) must connect over TLS.
    sql(admin_url, "DROP DATABASE IF EXISTS vault_tls WITH (FORCE)")
    sql(admin_url, "CREATE DATABASE vault_tls")
    plain_default = "postgres://vault@127.0.0.1:%s/vault_tls" % pg_port
    made = run([handoffd, "init", "--data-dir", data, "--dev-tls", "--database-url", plain_default, "--json"], check=False)
    check(made.returncode == 0, "init with the default sslmode: %s" % made.stderr)
    for bad, needle in [("sslmod=require", "unknown parameter sslmod"), ("sslmode=prefer", "sslmode must be one of"),
                        ("sslmode=verify-full&sslrootcert=%s&host=x" % ca, "unknown parameter host")]:
        result = purge("postgres://vault@localhost:%s/vault?%s" % (pg_port, bad))
        check(result.returncode == 78 and needle in result.stderr, "database_url ?%s: %d %s" % (bad, result.returncode, result.stderr.strip()))
    by_ip = purge("postgres://vault@127.0.0.1:%s/vault?sslmode=verify-full&sslrootcert=%s" % (pg_port, ca))
    check(by_ip.returncode == 78 and "host name" in by_ip.stderr, "verify-full by IP address: %s" % by_ip.stderr.strip())

    probe = Vault(bin_dir, os.path.join(work, "tls-node"), init=False, database_url=plain_default)
    probe.data = data
    probe.start(port=0)
    try:
        encrypted = sql(admin_url, "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                                   "WHERE a.application_name LIKE 'handoffd %%' AND a.datname = 'vault_tls'")
        check(encrypted == "t", "a node with no sslmode connects without TLS (pg_stat_ssl: %r)" % encrypted)
    finally:
        probe.stop()

    # verify-full against a CA that did not sign the server's certificate: nothing connects.
    other_ca = os.path.join(work, "other-ca.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                    "-subj", "/CN=not the database's CA", "-keyout", os.path.join(work, "other-ca.key"), "-out", other_ca],
                   check=True, capture_output=True)
    wrong = purge("postgres://vault@localhost:%s/vault_tls?sslmode=verify-full&sslrootcert=%s" % (pg_port, other_ca))
    check(wrong.returncode != 0, "verify-full accepted a certificate from another CA: %s" % wrong.stdout)
    right = purge("postgres://vault@localhost:%s/vault_tls?sslmode=verify-full&sslrootcert=%s" % (pg_port, ca))
    check(right.returncode == 0, "verify-full with the right CA: %s" % right.stderr)
    print("database TLS: default encrypted, verify-full checked, typos refused")


def follow_events(node, token, seen, opened):
    """Follows node's GET /v1/events (from now on) over verified TLS, appending (arrival, event)
    to `seen` until the connection ends; sets `opened` once the stream is accepted."""
    host, port = node.url[len("https://"):].rsplit(":", 1)
    connection = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=node.ca_file), timeout=30)
    connection.request("GET", "/v1/events", headers={"Authorization": "Bearer " + token, "Accept": "text/event-stream"})
    response = connection.getresponse()
    opened.set()
    while True:
        line = response.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            seen.append((time.monotonic(), json.loads(line[len(b"data: "):])))


def events_across_nodes(a, b, work, generator):
    """An event committed through one node reaches the streams on the other within 1 s."""
    seen_on_a, opened = [], threading.Event()
    threading.Thread(target=follow_events, args=(a, generator, seen_on_a, opened), daemon=True).start()
    check(opened.wait(10), "the event stream on A did not open")
    latencies = []
    for number in range(5):
        invite = b.invite("Events %d" % number)
        started = time.monotonic()
        check(submit(b, b.url, write_invite(work, "invite-events-%d.txt" % number, invite["inviteCode"])).returncode == 0, "submit on B")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(e["handoffId"] == invite["handoffId"] for _, e in seen_on_a):
            time.sleep(0.01)
        arrived = [t for t, e in seen_on_a if e["handoffId"] == invite["handoffId"] and e["type"] == "handoff.submitted"]
        check(arrived, "a submission through B did not reach A's event stream")
        if arrived:
            latencies.append(arrived[0] - started)
    check(latencies and max(latencies) < 1.0, "events across nodes took %s s (bound: 1 s)" % ["%.2f" % l for l in latencies])
    print("events across nodes: a submission through B reached A's stream in %s ms (submit CLI included)" % [int(l * 1000) for l in latencies])


def lock_holders(url, pid):
    """Backends of node `pid` that hold the audit advisory lock, idle inside their transaction."""
    return sql(url, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' "
                    "AND l.granted AND a.application_name = 'handoffd %d'" % pid)


def stalled_lock_holder(a, b, url, invites, env):
    """2b. Node B stopped with SIGSTOP while one of its transactions holds the audit lock (as a VM
    pause or a partition would leave it): A answers 503 within 6 s, /readyz says 503, PostgreSQL
    ends B's session (idle_in_transaction_session_timeout) and rolls it back, A writes again, and B
    serves again after SIGCONT."""
    stop = threading.Event()

    def load():
        while not stop.is_set():
            submit(b, b.url, invites[3])

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    held = False
    for _ in range(40):
        b.process.send_signal(signal.SIGSTOP)
        time.sleep(0.3)
        if lock_holders(url, b.process.pid) != "0":
            held = True
            break
        b.process.send_signal(signal.SIGCONT)
        time.sleep(0.2)
    stop.set()
    check(held, "could not stop node B while it held the audit lock")
    if not held:
        for thread in threads:
            thread.join()
        return
    started = time.monotonic()
    during = submit(a, a.url, invites[0])
    answered = time.monotonic() - started
    check(during.returncode != 0 and "try again" in during.stderr.lower(), "a write on A behind the stalled lock: %d %s" % (during.returncode, during.stderr))
    check(answered < 6, "A answered after %.1f s (bound: 6 s)" % answered)
    check(ready(a) == 503, "/readyz on A while B holds the lock: %d" % ready(a))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and lock_holders(url, b.process.pid) != "0":
        time.sleep(0.5)
    ended = time.monotonic() - started
    check(lock_holders(url, b.process.pid) == "0", "PostgreSQL did not end the stalled session")
    after = submit(a, a.url, invites[0])
    check(after.returncode == 0, "A writes after the stalled session ended: %s" % after.stderr)
    check(ready(a) == 200, "/readyz on A after the stalled session ended: %d" % ready(a))
    b.process.send_signal(signal.SIGCONT)
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and submit(b, b.url, invites[3]).returncode != 0:
        time.sleep(0.5)
    check(submit(b, b.url, invites[3]).returncode == 0, "B writes again after SIGCONT")
    indexes = sql(url, "SELECT COUNT(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM audit_event").split("|")
    check(int(indexes[0]) == int(indexes[2]) + 1 and int(indexes[1]) == 0, "audit indexes have gaps after the stall: %r" % indexes)
    print("stalled lock holder: A answered 503 in %.1f s; the stalled session was ended after %.1f s; writes went on" % (answered, ended))


def main():
    bin_dir, pg_dir, pg_port = sys.argv[1], sys.argv[2], sys.argv[3]
    base = "postgres://vault@localhost:%s/vault?sslmode=verify-full&sslrootcert=%s/tls/ca.pem" % (pg_port, pg_dir)
    admin_url = database_url(base, "postgres")
    sql(admin_url, "DROP DATABASE IF EXISTS vault_multinode WITH (FORCE)")
    sql(admin_url, "CREATE DATABASE vault_multinode")
    url = database_url(base, "vault_multinode")
    work = tempfile.mkdtemp(prefix="handoff-multinode-")
    database_tls(bin_dir, work, pg_dir, pg_port, admin_url)
    env = {"HANDOFF_REFUSAL_LIMIT": "100000", "HANDOFF_MAX_SUBMISSIONS_PER_HANDOFF": "100000", "HANDOFF_LOG_FORMAT": "text",
           "HANDOFF_REFUSAL_WINDOW": "2s"}
    a = Vault(bin_dir, os.path.join(work, "a"), database_url=url)
    b = Vault(bin_dir, os.path.join(work, "b"), init=False, database_url=url, copy_keys_from=a)
    a.start(env=env)
    b.start(env=env)
    print("node A %s, node B %s, database %s" % (a.url, b.url, url))

    # 1. A handoff across nodes.
    a.setup_generator()
    generator = b.token("generator", name="on B")
    invite = a.invite("Contoso")
    invite_file = write_invite(work, "invite.txt", invite["inviteCode"])
    result = submit(b, b.url, invite_file)
    check(result.returncode == 0, "submit on B: %s" % result.stderr)
    result = a.handoff(["status", "--invite-file", invite_file, "--server", a.url, "--json"], check=False)
    check(result.returncode == 0 and json.loads(result.stdout)["state"] == "submitted", "status on A: %s %s" % (result.stdout, result.stderr))
    key = os.path.join(a.generator_dir, "generator.key")
    result = b.handoff(["pull", "--key", key, "--out", os.path.join(work, "pulled"), "--json"], token=generator, check=False)
    check(result.returncode == 0 and len(json.loads(result.stdout)["pulled"]) == 1, "pull on B: %s" % result.stderr)
    result = a.handoff(["ack", invite["handoffId"]], token=generator, check=False)
    check(result.returncode == 0, "ack on A: %s" % result.stderr)
    events_across_nodes(a, b, work, generator)
    auditor = a.token("auditor", name="revoked on A")
    check(b.handoff(["audit", "export", "--out", os.path.join(work, "before.jsonl")], token=auditor, check=False).returncode == 0, "auditor works on B")
    token_id = json.loads(a.handoff(["admin", "token", "list", "--json"], token=a.admin_token).stdout)["tokens"][-1]["id"]
    # B has the auditor in its principal cache now; the revocation through A must reach it within 1 s.
    check(status_with(b, "/v1/audit/checkpoint", auditor) == 200, "auditor works on B (cached)")
    revoked_at = time.monotonic()
    a.handoff(["admin", "token", "revoke", token_id], token=a.admin_token)
    while status_with(b, "/v1/audit/checkpoint", auditor) == 200 and time.monotonic() - revoked_at < 3:
        time.sleep(0.01)
    refused_after = time.monotonic() - revoked_at
    check(status_with(b, "/v1/audit/checkpoint", auditor) == 401 and refused_after < 1.0,
          "a token revoked on A still worked on B %.2f s later" % refused_after)
    print("revocation on A refused by B %.0f ms after the revoking command started" % (refused_after * 1000))
    refused = b.handoff(["audit", "export", "--out", os.path.join(work, "after.jsonl")], token=auditor, check=False)
    check(refused.returncode != 0, "a token revoked on A still works on B")

    # 2. Concurrent submissions to both nodes; B killed with SIGKILL in the middle.
    invites = [write_invite(work, "invite-%d.txt" % n, a.invite("Load %d" % n)["inviteCode"]) for n in range(4)]
    receipted, failed_on_b, failed_on_a = [], [], []
    lock = threading.Lock()
    stop = threading.Event()
    log_mark = len(open(a.log.name).read())

    def submitter(number):
        node = a if number % 2 == 0 else b
        while not stop.is_set():
            result = submit(node, node.url, invites[number])
            with lock:
                if result.returncode == 0:
                    receipted.append(json.loads(result.stdout)["submissionId"])
                elif node is b:
                    failed_on_b.append(result.returncode)
                else:
                    failed_on_a.append(result.stderr.strip())

    threads = [threading.Thread(target=submitter, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    killed_at = time.monotonic()
    b.kill(signal.SIGKILL)
    time.sleep(3)
    b.start(env=env, log_name="serve-restarted.log")
    b_back = time.monotonic() - killed_at
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    print("submissions receipted: %d; refused while B was down: %d (B unavailable %.1f s, until restarted); failed on A: %d"
          % (len(receipted), len(failed_on_b), b_back, len(failed_on_a)))
    check(len(receipted) > 10, "load ran (%d receipted)" % len(receipted))
    check(not failed_on_a, "node A refused submissions: %r" % failed_on_a[:3])
    check(not [s for s in statuses(a, log_mark) if s >= 500], "node A answered 5xx during the kill")
    stored = set(sql(url, "SELECT id FROM submission").split())
    audited = set(sql(url, "SELECT convert_from(event, 'UTF8')::json->>'submissionId' FROM audit_event "
                           "WHERE convert_from(event, 'UTF8')::json->>'action' = 'submission.received'").split())
    missing = [s for s in receipted if s not in stored or s not in audited]
    check(not missing, "receipted submissions without their row or audit event: %r" % missing[:5])
    indexes = sql(url, "SELECT COUNT(*), COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM audit_event").split("|")
    check(int(indexes[0]) == int(indexes[2]) + 1 and int(indexes[1]) == 0, "audit indexes have gaps: %r" % indexes)

    auditor = a.token("auditor", name="export")
    exports = []
    for node in (a, b):
        path = os.path.join(work, "audit-%s.jsonl" % ("a" if node is a else "b"))
        result = node.handoff(["audit", "export", "--out", path], token=auditor, check=False)
        check(result.returncode == 0, "export: %s" % result.stderr)
        exports.append(open(path, "rb").read())
        verified = node.handoff(["audit", "verify", "--file", path, "--public-key", a.server_key], check=False)
        check(verified.returncode == 0, "the log exported from a node does not verify: %s" % verified.stderr)
    check(exports[0] == exports[1], "the two nodes export different logs")
    print("audit log: %d events, byte-identical from both nodes, verified offline" % (len(exports[0].splitlines()) - 1))

    stalled_lock_holder(a, b, url, invites, env)

    # 3. PostgreSQL stopped and started under running nodes.
    subprocess.run([os.path.join(ROOT, "scripts", "pg", "server.sh"), "stop", pg_dir], check=True)
    stopped_at = time.monotonic()
    time.sleep(1)
    check(ready(a) == 503 and ready(b) == 503, "/readyz while the database is down: %d %d" % (ready(a), ready(b)))
    during = submit(a, a.url, invites[0])
    check(during.returncode != 0 and "nothing was changed" in during.stderr, "a submission without the database: %s" % during.stderr)
    # Refusals while the database is down: their window closes and the flush fails; the tally is
    # kept and written once the database is back (it used to be dropped).
    outage_began = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
    for _ in range(7):
        check(anonymous_status(a) == 401, "a request without a token during the outage is refused")
    time.sleep(8)
    subprocess.run([os.path.join(ROOT, "scripts", "pg", "server.sh"), "start", pg_dir, pg_port], check=True, capture_output=True)
    started_at = time.monotonic()
    deadline = started_at + 30
    while time.monotonic() < deadline and not (ready(a) == 200 and ready(b) == 200):
        time.sleep(0.2)
    back = time.monotonic() - started_at
    check(ready(a) == 200 and ready(b) == 200, "nodes not ready 30 s after the database came back")
    for node in (a, b):
        result = submit(node, node.url, invites[1])
        check(result.returncode == 0, "submission after the database came back: %s" % result.stderr)
    print("database outage: both nodes ready %.1f s after PostgreSQL was back (%.1f s after it stopped), without a restart"
          % (back, time.monotonic() - stopped_at))
    deadline = time.monotonic() + 15
    kept = "0"
    while time.monotonic() < deadline and int(kept or 0) < 7:
        time.sleep(0.5)
        kept = sql(url, "SELECT COALESCE(SUM((convert_from(event, 'UTF8')::json->>'count')::int), 0) FROM audit_event "
                        "WHERE convert_from(event, 'UTF8')::json->>'action' = 'request.refused' "
                        "AND convert_from(event, 'UTF8')::json->>'time' >= '%s'" % outage_began)
    check(int(kept or 0) >= 7, "refusals counted during the outage were lost: %s of 7 audited" % kept)
    print("refusals during the outage: %s audited after the database came back" % kept)
    check(not [s for s in statuses(a) + statuses(b) if s >= 500 and s != 503], "a node answered 5xx other than 503")

    # 4. The backup drill: pg_dump in one consistent snapshot while both nodes serve, restored into
    # a new database, served by a third node with the same key files; its log is the same.
    dump = os.path.join(work, "vault.dump")
    subprocess.run(["/usr/lib/postgresql/15/bin/pg_dump", "--serializable-deferrable", "--format=custom", "--file", dump, url], check=True)
    sql(admin_url, "DROP DATABASE IF EXISTS vault_restored WITH (FORCE)")
    sql(admin_url, "CREATE DATABASE vault_restored")
    restored_url = url.replace("/vault_multinode", "/vault_restored")
    subprocess.run(["/usr/lib/postgresql/15/bin/pg_restore", "--dbname", restored_url, dump], check=True)
    c = Vault(bin_dir, os.path.join(work, "c"), init=False, database_url=restored_url, copy_keys_from=a)
    c.start(env=env)
    exported = []
    for node in (a, c):
        path = os.path.join(work, "drill-%s.jsonl" % ("a" if node is a else "c"))
        check(node.handoff(["audit", "export", "--out", path], token=auditor, check=False).returncode == 0, "drill export")
        exported.append(open(path, "rb").read())
    check(exported[0] == exported[1], "the restored database's log differs from the original's")
    check(c.handoff(["audit", "verify", "--file", os.path.join(work, "drill-c.jsonl"), "--public-key", a.server_key], check=False).returncode == 0,
          "the restored log does not verify")
    check(submit(c, c.url, invites[2]).returncode == 0, "a node on the restored database takes submissions")
    print("backup drill: pg_dump restored into a new database, served by a third node, same verified log")

    # 5. Master key rotation against PostgreSQL: every node stopped, rotated on one, the new key
    # copied to the others; both serve again, and what was sealed before still opens.
    for node in (a, b, c):
        node.stop()
    rotated = run([a.handoffd, "rotate-master-key", "--data-dir", a.data, "--database-url", url, "--json"], check=False)
    check(rotated.returncode == 0, "rotate-master-key on PostgreSQL: %s" % rotated.stderr)
    if rotated.returncode == 0:
        print("master key rotation on PostgreSQL: %s" % rotated.stdout.strip())
    os.replace(os.path.join(b.data, "master.key"), os.path.join(b.data, "master.key.old"))
    with open(os.path.join(a.data, "master.key")) as source:
        write_invite(b.data, "master.key", source.read().strip())
    os.remove(os.path.join(b.data, "master.key.old"))
    a.start(env=env, log_name="serve-rotated.log")
    b.start(env=env, log_name="serve-rotated.log")
    later = a.invite("After rotation")
    later_file = write_invite(work, "invite-later.txt", later["inviteCode"])
    check(submit(b, b.url, later_file).returncode == 0, "a submission after rotation")
    pulled = b.handoff(["pull", "--key", key, "--out", os.path.join(work, "pulled-after"), "--json"], token=generator, check=False)
    check(pulled.returncode == 0 and len(json.loads(pulled.stdout)["pulled"]) >= 2, "boxes sealed before and after rotation open: %s" % pulled.stderr)
    for node in (a, b):
        node.stop()
    print("multinode: %d failures" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
