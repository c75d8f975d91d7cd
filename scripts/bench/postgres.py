#!/usr/bin/env python3
"""The PostgreSQL column of the service benchmark: the same loads as service.py's (b) and (c) —
2 KiB sealed submissions (each receipted after its commit) and releases of the latest submission
(each an audited transaction) — and its authenticated GET (the handoff, by the customer's token),
32 connections with keep-alive (wrk), against

  * one node on SQLite (the default, measured again here for a side-by-side),
  * one node on PostgreSQL 15 (the private server of scripts/pg/with-server.sh),
  * two nodes on the same PostgreSQL, 16 connections each, at the same time.

Rewrites the "PostgreSQL" section of BENCHMARKS.md.
Usage: postgres.py BIN_DIR POSTGRES_URL [SECONDS]
"""
import base64
import os
import re
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from bench.report import write_section  # noqa: E402
from vault import Vault, fresh_database as vault_fresh_database  # noqa: E402

BIN, BASE_URL = sys.argv[1], sys.argv[2]
SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 10
ENV = {"HANDOFF_MAX_SUBMISSIONS_PER_HANDOFF": "100000", "HANDOFF_REFUSAL_LIMIT": "1000000"}


def fresh_database(name):
    return vault_fresh_database(BASE_URL, name)


def wrk(url, script, connections):
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % SECONDS, "--latency", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout

    def latency(p):
        value, unit = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency(50), "p99": latency(99),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def scripts(work, vault):
    """wrk scripts for one handoff: a submission of a 2 KiB box, and a release of the latest."""
    key_id = vault.setup_generator()
    invite = vault.invite("Bench")
    generator = vault.token("generator", name="bench")
    sealed = base64.b64encode(os.urandom(2048)).decode()
    submit = os.path.join(work, "submit.lua")
    open(submit, "w").write('wrk.method = "POST"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["Content-Type"] = "application/json"\n'
                            'wrk.body = \'{"recipientKeyId":"%s","sealed":"%s"}\'\nwrk.path = "/v1/handoffs/%s/submissions"\n'
                            % (invite["token"], key_id, sealed, invite["handoffId"]))
    release = os.path.join(work, "release.lua")
    open(release, "w").write('wrk.headers["Authorization"] = "Bearer %s"\nwrk.path = "/v1/handoffs/%s/submissions/latest"\n'
                             % (generator, invite["handoffId"]))
    view = os.path.join(work, "view.lua")
    open(view, "w").write('wrk.headers["Authorization"] = "Bearer %s"\nwrk.path = "/v1/handoffs/%s"\n' % (invite["token"], invite["handoffId"]))
    return submit, release, view


def combined(results):
    """Two wrk runs at once: the rates add up; the latencies are the worse of the two."""
    return {"rate": sum(r["rate"] for r in results), "p50": max(r["p50"] for r in results), "p99": max(r["p99"] for r in results),
            "errors": sum(r["errors"] for r in results)}


def main():
    rows = []
    # One node on SQLite, one on PostgreSQL.
    for label, database_url in [("SQLite, one node", None), ("PostgreSQL, one node", fresh_database("vault_bench_one"))]:
        work = tempfile.mkdtemp(prefix="handoff-bench-pg-")
        vault = Vault(BIN, work, database_url=database_url)
        url = vault.start(env=ENV)
        submit, release, view = scripts(work, vault)
        rows.append((label, wrk(url, submit, 32), wrk(url, release, 32), wrk(url, view, 32)))
        vault.stop()
    # Two nodes on one PostgreSQL, both loaded at once.
    work = tempfile.mkdtemp(prefix="handoff-bench-pg-")
    database_url = fresh_database("vault_bench_two")
    a = Vault(BIN, os.path.join(work, "a"), database_url=database_url)
    b = Vault(BIN, os.path.join(work, "b"), init=False, database_url=database_url, copy_keys_from=a)
    urls = [a.start(env=ENV), b.start(env=ENV)]
    submit, release, view = scripts(os.path.join(work, "a"), a)
    measured = {}
    for name, script in [("submit", submit), ("release", release), ("view", view)]:
        results = [None, None]

        def load(index, script=script, results=results):
            results[index] = wrk(urls[index], script, 16)

        threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        measured[name] = combined(results)
    rows.append(("PostgreSQL, two nodes (16 connections each)", measured["submit"], measured["release"], measured["view"]))
    a.stop()
    b.stop()

    lines = [
        "## PostgreSQL",
        "",
        "`make bench` (scripts/bench/postgres.py): the loads of (b) and (c) above, %d s each, 32 connections in all, against one node on"
        % SECONDS,
        "SQLite, one node on PostgreSQL 15 (a private server on this machine, default settings: `synchronous_commit = on`), and two",
        "nodes on that PostgreSQL loaded at once. Every submission is committed (with its audit event, under the audit lock) before its",
        "receipt; every release is an audited transaction. GET: `GET /v1/handoffs/{id}` by the customer's token.",
        "",
        "| setup | submissions/s | p50 ms | p99 ms | errors | releases/s | p50 ms | p99 ms | errors | GET/s | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, s, r, v in rows:
        lines.append("| %s | %.0f | %.2f | %.2f | %d | %.0f | %.2f | %.2f | %d | %.0f | %.2f | %d |" % (
            label, s["rate"], s["p50"], s["p99"], s["errors"], r["rate"], r["p50"], r["p99"], r["errors"], v["rate"], v["p99"], v["errors"]))
    sqlite, one = rows[0], rows[1]
    lines += [
        "",
        "PostgreSQL, one node, against SQLite in this run: submissions %.0f %%, releases %.0f %%, GET %.0f %% (SQLite's GET is %.2f× PostgreSQL's)."
        % (100 * one[1]["rate"] / sqlite[1]["rate"], 100 * one[2]["rate"] / sqlite[2]["rate"], 100 * one[3]["rate"] / sqlite[3]["rate"],
           sqlite[3]["rate"] / one[3]["rate"]),
        "Audited writes on a node share transactions (group commit, as on SQLite: the group taken once the node holds the audit lock,",
        "which it takes with the tree's right edge in one call; the group's submissions' handoff rows locked and read in one query, its",
        "submissions written and its change announced by one statement; its members run without savepoints, each in its own only after",
        "one failed), and are serialized across nodes by that one advisory lock (that is what keeps the log one tree); each node caches",
        "principals and views for at most 1 s, forgetting them when any node announces a change (LISTEN/NOTIFY).",
        "",
    ]
    write_section("PostgreSQL", lines)


if __name__ == "__main__":
    main()
