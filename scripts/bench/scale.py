#!/usr/bin/env python3
"""The scale benchmark (make bench-scale): how the service's costs grow with the size of its store.

Two vaults, served by the same release handoffd: one empty, one filled by `scale-fill` (the
store's own code, large transactions; COPY on PostgreSQL) with HANDOFFS invited handoffs, each
with its invite token, one in ten expired an hour ago, and an audit log of EVENTS events. On
each: authenticated GET (wrk, 32 connections, the customer's token), durable submissions (wrk,
server CPU per request), inclusion proofs for 200 random events (one keep-alive connection),
then `handoffd purge --now` as of two days on (the one in ten invites expired by then) beside the
serving node under submissions: the command reports its longest batch, and the submissions'
slowest answer shows whether the serving node's writes went on; database bytes per handoff and per
event from SQLite's dbstat or PostgreSQL's pg_total_relation_size. On SQLite by default (rewrites the
"Scale" section of BENCHMARKS.md); given POSTGRES_URL, on fresh databases of that PostgreSQL server
(rewrites "Scale on PostgreSQL").

Usage: scale.py BIN_DIR [HANDOFFS] [EVENTS] [POSTGRES_URL]   (defaults 1000000 10000000; BIN_DIR holds handoffd, handoff, scale-fill)
"""
import base64
import http.client
import json
import os
import random
import re
import shutil
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from bench.report import write_section  # noqa: E402
from vault import Vault, fresh_database  # noqa: E402

BIN = sys.argv[1]
HANDOFFS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
EVENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000
POSTGRES = sys.argv[4] if len(sys.argv) > 4 else None
PSQL = "/usr/lib/postgresql/15/bin/psql"
SECONDS = 10
ENV = {"HANDOFF_MAX_SUBMISSIONS_PER_HANDOFF": "100000", "HANDOFF_REFUSAL_LIMIT": "1000000"}


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, script, pid):
    before = cpu_seconds(pid)
    out = subprocess.run(["wrk", "-t2", "-c32", "-d%ds" % SECONDS, "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout

    def latency(p):
        value, unit = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    maximum = re.search(r"Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", out)
    return {"max": float(maximum.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[maximum.group(2)], "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency(50), "p99": latency(99),
            "errors": int(non2xx.group(1)) if non2xx else 0, "cpu_us": (cpu_seconds(pid) - before) / max(1, requests) * 1e6}


def proofs(vault, url, token, count=200):
    """Inclusion proofs for random events of the current tree, on one keep-alive connection: ms each."""
    host, port = url.split("//")[1].split(":")
    connection = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=vault.ca_file))
    headers = {"Authorization": "Bearer " + token}
    connection.request("GET", "/v1/audit/checkpoint", headers=headers)
    size = json.loads(connection.getresponse().read())["treeSize"]
    times = []
    for _ in range(count):
        index = random.randrange(size)
        start = time.perf_counter()
        connection.request("GET", "/v1/audit/proof/inclusion?index=%d&size=%d" % (index, size), headers=headers)
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, response.status
    times.sort()
    return {"p50": times[len(times) // 2], "p99": times[int(len(times) * 0.99) - 1], "size": size}


def postgres_bytes(url):
    """Bytes per table with its indexes and TOAST, and the whole database's (PostgreSQL)."""
    query = ("SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
             "UNION ALL SELECT '', pg_database_size(current_database())")
    out = subprocess.run([PSQL, url, "-qAtF", "\t", "-c", "VACUUM ANALYZE", "-c", query], capture_output=True, text=True, check=True).stdout
    sizes = {name: int(size) for name, size in (line.split("\t") for line in out.splitlines() if "\t" in line)}
    return sizes, sizes.pop("")


def table_bytes(path):
    """Bytes per table with its indexes (SQLite's dbstat)."""
    database = sqlite3.connect(path)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    names = dict(database.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    sizes = {}
    for name, size in database.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
        table = names.get(name, name)
        sizes[table] = sizes.get(table, 0) + size
    database.close()
    return sizes


def measure(label, handoffs, events):
    work = tempfile.mkdtemp(prefix="handoff-bench-scale-")
    database = fresh_database(POSTGRES, "vault_scale_%s" % ("full" if handoffs or events else "empty")) if POSTGRES else None
    vault = Vault(BIN, work, database_url=database)
    url = vault.start(env=ENV)
    key_id = vault.setup_generator()
    fill = None
    if handoffs or events:
        vault.stop()
        start = time.monotonic()
        fill = json.loads(subprocess.run([os.path.join(BIN, "scale-fill"), database or os.path.join(vault.data, "vault.sqlite"), str(handoffs), str(events), "10"],
                                         capture_output=True, text=True, check=True).stdout)
        fill["wall"] = time.monotonic() - start
        if database:
            # What autovacuum does to a store grown over months: without it, the first minutes after a
            # bulk load measure autovacuum's own scan of the new rows beside the load.
            start = time.monotonic()
            subprocess.run([PSQL, database, "-qc", "VACUUM (ANALYZE)"], check=True, capture_output=True)
            fill["vacuum"] = time.monotonic() - start
        url = vault.start(env=ENV)
    invite = vault.invite("Scale")
    auditor = vault.token("auditor", name="scale")
    view = os.path.join(work, "view.lua")
    open(view, "w").write('wrk.headers["Authorization"] = "Bearer %s"\nwrk.path = "/v1/handoffs/%s"\n' % (invite["token"], invite["handoffId"]))
    sealed = base64.b64encode(os.urandom(2048)).decode()

    def submit_script(name, invite):
        path = os.path.join(work, name)
        open(path, "w").write('wrk.method = "POST"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["Content-Type"] = "application/json"\n'
                              'wrk.body = \'{"recipientKeyId":"%s","sealed":"%s"}\'\nwrk.path = "/v1/handoffs/%s/submissions"\n'
                              % (invite["token"], key_id, sealed, invite["handoffId"]))
        return path
    submit = submit_script("submit.lua", invite)
    # The load beside the purge goes to a handoff of its own: two 10 s loads to one handoff pass the
    # per-handoff cap (100,000, the most the settings allow) on a fast machine, and its refusals
    # would be measured instead of writes.
    submit_during_purge = submit_script("submit-during-purge.lua", vault.invite("Scale, during the purge"))
    result = {"label": label, "fill": fill, "get": wrk(url, view, vault.process.pid), "submit": wrk(url, submit, vault.process.pid),
              "proof": proofs(vault, url, auditor)}
    # Retention beside the serving node, as of two days on (the one-in-ten invites have expired
    # then): submissions keep coming, and their slowest answer shows whether the node's writes went on beside it.
    during = {}
    loader = threading.Thread(target=lambda: during.update(wrk(url, submit_during_purge, vault.process.pid)))
    loader.start()
    time.sleep(1)
    as_of = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2 * 86_400))
    start = time.monotonic()
    purged = subprocess.run([vault.handoffd, "purge", "--now", "--as-of", as_of, "--data-dir", vault.data, "--json"],
                            capture_output=True, text=True, check=True, env=dict(os.environ, **({"HANDOFF_DATABASE_URL": database} if database else {})))
    result["purge_seconds"] = time.monotonic() - start
    loader.join()
    result["during_purge"] = during
    refused = {name: result[name]["errors"] for name in ("get", "submit", "during_purge") if result[name]["errors"]}
    if refused:
        sys.exit("scale: answers other than 2xx would be measured as the store's: %s" % refused)
    report = json.loads(purged.stdout)
    result["purged"] = len(report["purged"])
    result["batches"] = report["batches"]
    result["longest_batch_ms"] = report["longestBatchMs"]
    vault.stop()
    if database:
        result["bytes"], result["file_bytes"] = postgres_bytes(database)
    else:
        result["bytes"] = table_bytes(os.path.join(vault.data, "vault.sqlite"))
        result["file_bytes"] = os.path.getsize(os.path.join(vault.data, "vault.sqlite"))
    # A filled SQLite store is gigabytes: measured, it goes (the numbers are what is kept).
    shutil.rmtree(work)
    print(json.dumps(result), flush=True)
    return result


def main():
    empty = measure("empty store", 0, 0)
    full = measure("%s handoffs, %s events" % (format(HANDOFFS, ","), format(EVENTS, ",")), HANDOFFS, EVENTS)
    backend = "PostgreSQL 15 (the private server of scripts/pg/with-server.sh, on this machine)" if POSTGRES else "SQLite"
    lines = [
        "## Scale on PostgreSQL" if POSTGRES else "## Scale",
        "",
        "`make bench-scale` (scripts/bench/scale.py): one empty %s vault and one filled by `scale-fill` with %s invited"
        % (backend, format(HANDOFFS, ",")),
        "handoffs (each with its invite token; one in ten expiring the next day) and %s audit events, served by the same release handoffd;"
        % format(EVENTS, ","),
        "wrk %d s, 32 connections; 200 inclusion proofs for random events on one keep-alive connection; then `handoffd purge --now --as-of`" % SECONDS,
        "two days on, beside the serving node under submissions (their slowest answer: how long the node's writes waited for the purge).",
        "",
        "| store | fill (s) | GET/s | GET p99 ms | submissions/s | CPU µs/submission | submission p99 ms | proof p50 ms | proof p99 ms | purge | slowest submission during purge (ms) | database MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in (empty, full):
        lines.append("| %s | %s | %.0f | %.2f | %.0f | %.0f | %.2f | %.2f | %.2f | %s in %.1f s | %.0f (p99 %.0f) | %.0f |" % (
            r["label"], "%.0f" % r["fill"]["wall"] if r["fill"] else "", r["get"]["rate"], r["get"]["p99"], r["submit"]["rate"],
            r["submit"]["cpu_us"], r["submit"]["p99"], r["proof"]["p50"], r["proof"]["p99"], format(r["purged"], ","), r["purge_seconds"],
            r["during_purge"]["max"], r["during_purge"]["p99"], r["file_bytes"] / 2**20))
    handoff_bytes = sum(full["bytes"].get(t, 0) - empty["bytes"].get(t, 0) for t in ("handoff", "token"))
    event_bytes = sum(full["bytes"].get(t, 0) - empty["bytes"].get(t, 0) for t in ("auditEvent", "merkleNode", "audit_event", "merkle_node"))
    lines += [
        "",
        "Against the empty store: GET p99 %.2f×, CPU per submission %.2f× (target ≤ 1.5× each); inclusion proof p99 %.2f ms (target ≤ 5 ms)."
        % (full["get"]["p99"] / empty["get"]["p99"], full["submit"]["cpu_us"] / empty["submit"]["cpu_us"], full["proof"]["p99"]),
        "The purge: %s handoffs in %d transactions of at most %d, the longest held the writer %d ms (target ≤ 100 ms);"
        % (format(full["purged"], ","), full["batches"], -(-full["purged"] // max(1, full["batches"])), full["longest_batch_ms"]),
        "the offline command leaves the writer free for 100 ms between them, so the serving node's writes go on.",
        "Bytes on disk (tables with their indexes, %s): %.0f per handoff (the handoff row and its invite token), %.0f per audit event"
        % ("pg_total_relation_size after VACUUM" if POSTGRES else "dbstat", handoff_bytes / HANDOFFS, event_bytes / max(1, full["proof"]["size"] - empty["proof"]["size"])),
        "(the event and its Merkle nodes).",
    ]
    if POSTGRES:
        lines.append("CPU per submission is handoffd's alone; PostgreSQL's own processes share the same 2 cores and are not counted.")
    write_section("Scale on PostgreSQL" if POSTGRES else "Scale", lines + [""])


if __name__ == "__main__":
    main()
