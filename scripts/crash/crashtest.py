#!/usr/bin/env python3
"""Crash test: concurrent submitters against a real handoffd that is killed with SIGKILL at random
moments, restarted, and checked after every round:

- every submission a client got a receipt for is in the database, and opens: its data key
  unwraps with the master key, its record decrypts, its sealed box opens with the generator key
  (PyNaCl, independent of the project's code) and names its handoff;
- no submission without its audit event, no submission event without its submission;
- the events outbox agrees exactly with the changes: every submission has its handoff.submitted
  event at its audit index, every announcing audit event has its outbox row and no outbox row
  stands for a change that is not there;
- PRAGMA integrity_check is ok;
- the exported audit log verifies, and is consistent with every checkpoint seen before a crash.

  crashtest.py --bin .build/debug --rounds 10 [--submitters 4] [--seed N]
Prints "crashtest: N passed, M failed" and exits non-zero on any failure.
"""
import argparse, base64, json, os, random, re, signal, sqlite3, subprocess, sys, tempfile, threading, time

from nacl import bindings
from nacl.public import PrivateKey, SealedBox

# Audit actions whose success the outbox announces (DESIGN.md, "Events, webhooks and the generator agent").
ANNOUNCED = {"submission.received": "handoff.submitted", "submission.released": "handoff.released",
             "handoff.acknowledged": "handoff.acknowledged", "package.delivered": "package.delivered",
             "package.fetched": "package.fetched", "handoff.revoked": "handoff.revoked"}

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "config", "values.example.json")


sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vault import Vault, database_url, run  # noqa: E402  (the one server bootstrap: scripts/vault.py)

# The crash test's server settings: no drain pause, checkpoints often, text logs, no submission cap.
SERVER_ENV = {"HANDOFF_CHECKPOINT_INTERVAL": "5", "HANDOFF_LOG_FORMAT": "text", "HANDOFF_MAX_SUBMISSIONS_PER_HANDOFF": "100000"}


PSQL = "/usr/lib/postgresql/15/bin/psql"


def fresh_database(base):
    """A new, empty database named vault_crash on the server `base` points at."""
    admin = database_url(base, "postgres")
    subprocess.run([PSQL, admin, "-qc", "DROP DATABASE IF EXISTS vault_crash WITH (FORCE)"], check=True)
    subprocess.run([PSQL, admin, "-qc", "CREATE DATABASE vault_crash"], check=True)
    return database_url(base, "vault_crash")


class Records:
    """The rows the checks read, from the SQLite file or from PostgreSQL (same columns)."""

    def __init__(self, sqlite_path, database_url):
        self.sqlite_path, self.database_url = sqlite_path, database_url

    def _pg(self, statement):
        out = subprocess.run([PSQL, self.database_url, "-qAtF", "\t", "-c", statement], capture_output=True, text=True, check=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def intact(self):
        if self.database_url:
            return self._pg("SELECT 1") == [["1"]]
        with sqlite3.connect(self.sqlite_path) as db:
            return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def submissions(self):
        if self.database_url:
            b64 = "translate(encode(%s, 'base64'), E'\\n', '')"
            return [(r[0], base64.b64decode(r[1]), base64.b64decode(r[2]), int(r[3]), int(r[4]), r[5], int(r[6])) for r in self._pg(
                "SELECT id, %s, %s, key_version, record_key_version, handoff_id, audit_index FROM submission" % (b64 % "ciphertext", b64 % "wrapped_key"))]
        with sqlite3.connect(self.sqlite_path) as db:
            return list(db.execute("SELECT id, ciphertext, wrappedKey, keyVersion, recordKeyVersion, handoffId, auditIndex FROM submission"))

    def outbox(self):
        if self.database_url:
            return [(int(r[0]), r[1], r[2]) for r in self._pg("SELECT id, type, handoff_id FROM event")]
        with sqlite3.connect(self.sqlite_path) as db:
            return list(db.execute("SELECT id, type, handoffId FROM event"))

    def events(self):
        if self.database_url:
            return [(int(r[0]), r[1]) for r in self._pg("SELECT id, convert_from(event, 'UTF8') FROM audit_event")]
        with sqlite3.connect(self.sqlite_path) as db:
            return list(db.execute("SELECT id, CAST(event AS TEXT) FROM auditEvent"))


def at_rest_open(row, master, handoff_id):
    sub_id, ciphertext, wrapped, key_version, record_version = row
    wrap_ad = ("handoff-vault/v1|data-key|submission|%s|%d" % (sub_id, key_version)).encode()
    record_ad = ("handoff-vault/v1|record|submission|%s|%s|%d" % (sub_id, handoff_id, record_version)).encode()
    data_key = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(wrapped[24:], wrap_ad, wrapped[:24], master)
    return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext[24:], record_ad, ciphertext[:24], data_key)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--submitters", type=int, default=4)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--postgres", help="a postgres:// URL of a test server: run the node on a fresh database there instead of SQLite")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="handoff-crash-")
    database_url = fresh_database(args.postgres) if args.postgres else None
    store = Records(os.path.join(work, "data", "vault.sqlite"), database_url)
    server = Vault(args.bin, work, database_url=database_url)
    data, init = server.data, server.init
    handoff = server.handoff_bin
    server.start(env=SERVER_ENV)
    env = server.env(token=init["adminToken"])
    server.setup_generator()
    keys = server.generator_dir
    auditor = server.token("auditor", name="crash")
    invites = [server.invite("C%d" % index) for index in range(args.submitters)]
    generator_secret = PrivateKey(base64.b64decode(json.load(open(os.path.join(keys, "generator.key")))["secretKey"]))
    master_text = open(os.path.join(data, "master.key")).read().strip()
    receipts = {}  # submission id -> handoff id
    checkpoints = []
    lock = threading.Lock()
    passed = failed = 0
    kills = 0

    for round_number in range(1, args.rounds + 1):
        stop = threading.Event()

        def submitter(invite):
            local_env = dict(os.environ, HANDOFF_CA_FILE=init["caFile"], HANDOFF_INVITE=invite["inviteCode"])
            local_env.pop("HANDOFF_TOKEN", None)
            # The restarted server listens on a new port; invite commands take it from --server only.
            url = server.url
            while not stop.is_set():
                result = subprocess.run([handoff, "submit", "--values", FIXTURE, "--json", "--server", url], env=local_env, capture_output=True, text=True, timeout=60)
                if result.returncode == 0:
                    answer = json.loads(result.stdout)
                    with lock:
                        receipts[answer["submissionId"]] = answer["handoffId"]

        threads = [threading.Thread(target=submitter, args=(invite,)) for invite in invites]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.2, 1.2))
        checkpoint = run([handoff, "audit", "export", "--out", os.path.join(work, "before-%d.jsonl" % round_number)],
                         env=dict(env, HANDOFF_TOKEN=auditor), check=False)
        if checkpoint.returncode == 0:
            checkpoints.append(os.path.join(work, "before-%d.jsonl" % round_number))
        time.sleep(rng.uniform(0.05, 0.6))
        server.kill()
        kills += 1
        stop.set()
        for thread in threads:
            thread.join()
        server.start(env=SERVER_ENV)
        env["HANDOFF_SERVER"] = server.url

        problems = []
        master = base64.b64decode(master_text.split(":", 1)[-1])
        if not store.intact():
            problems.append("integrity_check failed")
        rows = {r[0]: r for r in store.submissions()}
        for submission_id, handoff_id in list(receipts.items()):
            row = rows.get(submission_id)
            if row is None:
                problems.append("receipted submission %s is missing" % submission_id)
                continue
            try:
                sealed = at_rest_open(row[:5], master, handoff_id)
                payload = json.loads(SealedBox(generator_secret).decrypt(sealed))
                if payload["handoffId"] != handoff_id:
                    problems.append("submission %s names another handoff" % submission_id)
            except Exception as error:  # noqa: BLE001 - any failure to open is the finding
                problems.append("submission %s does not open: %s" % (submission_id, type(error).__name__))
        events = {}
        for index, event in store.events():
            parsed = json.loads(event)
            if parsed.get("action") == "submission.received":
                events[parsed["submissionId"]] = index
        for submission_id, row in rows.items():
            if events.get(submission_id) != row[6]:
                problems.append("submission %s has no audit event at its index" % submission_id)
        for submission_id in events:
            if submission_id not in rows:
                problems.append("audit event for submission %s, which does not exist" % submission_id)
        outbox = {row[0]: (row[1], row[2]) for row in store.outbox()}
        announced = {}
        for index, event in store.events():
            parsed = json.loads(event)
            if parsed.get("outcome") == "success" and "count" not in parsed and parsed.get("action") in ANNOUNCED:
                announced[index] = (ANNOUNCED[parsed["action"]], parsed["handoffId"])
        if outbox != announced:
            missing = sorted(set(announced) - set(outbox))[:5]
            extra = sorted(set(outbox) - set(announced))[:5]
            problems.append("the outbox disagrees with the log: %d missing (%s), %d without their change (%s)" % (
                len(set(announced) - set(outbox)), missing, len(set(outbox) - set(announced)), extra))
        for submission_id, row in rows.items():
            if outbox.get(row[6]) != ("handoff.submitted", row[5]):
                problems.append("submission %s has no handoff.submitted event" % submission_id)
        export = os.path.join(work, "after-%d.jsonl" % round_number)
        run([handoff, "audit", "export", "--out", export], env=dict(env, HANDOFF_TOKEN=auditor))
        verify = [handoff, "audit", "verify", "--file", export, "--public-key", init["serverKey"]]
        for earlier in checkpoints:
            verify += ["--previous-checkpoint", earlier]
        result = run(verify, check=False)
        if result.returncode != 0:
            problems.append("audit verify: " + (result.stderr or result.stdout).strip())
        if problems:
            failed += 1
            print("round %d: FAILED\n  %s" % (round_number, "\n  ".join(problems[:10])))
        else:
            passed += 1
            print("round %d: ok (%d receipted submissions, %d outbox events, %d checkpoints held)" % (
                round_number, len(receipts), len(outbox), len(checkpoints)), flush=True)

    server.stop()
    print("kills survived: %d; receipted submissions: %d; seed %d" % (kills - failed, len(receipts), args.seed))
    print("crashtest: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
