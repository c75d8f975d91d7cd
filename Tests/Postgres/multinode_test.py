#!/usr/bin/env python3
"""Two handoffd nodes on one PostgreSQL 15 (a private server started by make test): real
binaries, real TLS, a real database.

1. A handoff crosses nodes: invite on A, submit on B, status on A, pull on B, ack on A; a token
   revoked on A stops working on B at once.
2. Concurrent submissions to both nodes; node B is killed with SIGKILL in the middle: every
   receipted submission is in the database with its audit event, node A never answers 5xx, B
   restarts, and both nodes export byte-identical audit logs that verify offline.
3. PostgreSQL stopped under both nodes: /readyz answers 503 and a submission fails cleanly (503);
   started again, both nodes are ready within 30 s without being restarted, and submissions work.

Usage: multinode_test.py BIN_DIR PG_DIR PG_PORT
Prints the failover figures (requests lost, seconds unavailable) for the closing note.
"""
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
from vault import Vault, run  # noqa: E402

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


def main():
    bin_dir, pg_dir, pg_port = sys.argv[1], sys.argv[2], sys.argv[3]
    admin_url = "postgres://vault@127.0.0.1:%s/postgres" % pg_port
    sql(admin_url, "DROP DATABASE IF EXISTS vault_multinode WITH (FORCE)")
    sql(admin_url, "CREATE DATABASE vault_multinode")
    url = "postgres://vault@127.0.0.1:%s/vault_multinode" % pg_port
    work = tempfile.mkdtemp(prefix="handoff-multinode-")
    env = {"HANDOFF_REFUSAL_LIMIT": "100000", "HANDOFF_MAX_SUBMISSIONS_PER_HANDOFF": "100000", "HANDOFF_LOG_FORMAT": "text"}
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
    auditor = a.token("auditor", name="revoked on A")
    check(b.handoff(["audit", "export", "--out", os.path.join(work, "before.jsonl")], token=auditor, check=False).returncode == 0, "auditor works on B")
    token_id = json.loads(a.handoff(["admin", "token", "list", "--json"], token=a.admin_token).stdout)["tokens"][-1]["id"]
    a.handoff(["admin", "token", "revoke", token_id], token=a.admin_token)
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

    # 3. PostgreSQL stopped and started under running nodes.
    subprocess.run([os.path.join(ROOT, "scripts", "pg", "server.sh"), "stop", pg_dir], check=True)
    stopped_at = time.monotonic()
    time.sleep(1)
    check(ready(a) == 503 and ready(b) == 503, "/readyz while the database is down: %d %d" % (ready(a), ready(b)))
    during = submit(a, a.url, invites[0])
    check(during.returncode != 0 and "nothing was changed" in during.stderr, "a submission without the database: %s" % during.stderr)
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
