#!/usr/bin/env python3
"""The generator agent's crash test: `handoff generator run` against a real handoffd while ten
customers submit (at seeded random moments), killed with SIGKILL at seeded random moments and
restarted each time, with a build command that fails for one of the ten handoffs.

Checked at the end, from the vault's own records and the customers' side:
- each of the nine buildable handoffs was delivered exactly once (one package.delivered event in
  the audit log, delivery sequence 1), and its customer's CLI fetches the package and verifies
  it (`handoff package fetch --values`: Altoura's signature, built from its latest receipt, for
  its client ID);
- the tenth was never delivered, is retried with backoff, and its failure is in the state file;
- the audit log verifies.

  agent_crashtest.py --bin .build/debug [--kills 5] [--seed N] [--postgres URL]
Prints the kill table and "agent crashtest: passed" or the failures, exit 1 on any.
"""
import argparse, json, os, random, signal, ssl, subprocess, sys, tempfile, threading, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vault import Vault, run  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "crash"))
from crashtest import fresh_database  # noqa: E402

VALUES = os.path.join(os.path.dirname(__file__), "..", "..", "config", "values.example.json")
HANDOFFS = 10


class Agent:
    """The agent process, its status lines appended to one log across restarts."""

    def __init__(self, vault, token, out, build_command, log_path):
        self.vault, self.token, self.out, self.build_command = vault, token, out, build_command
        self.log_path, self.process = log_path, None

    def start(self):
        env = self.vault.env(token=self.token)
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [self.vault.handoff_bin, "generator", "run", "--key", os.path.join(self.vault.generator_dir, "generator.key"),
                 "--out", self.out, "--build-command", self.build_command, "--poll-interval", "2", "--json"],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env)

    def kill(self, sig=signal.SIGKILL):
        self.process.send_signal(sig)
        return self.process.wait(timeout=60)

    def lines(self):
        with open(self.log_path) as log:
            return [json.loads(line) for line in log if line.startswith("{")]


def handoff_states(vault):
    """Every handoff's state, as the admin's GET /v1/handoffs shows it (over verified TLS)."""
    request = urllib.request.Request(vault.url + "/v1/handoffs", headers={"Authorization": "Bearer " + vault.admin_token})
    context = ssl.create_default_context(cafile=vault.ca_file)
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        return {item["handoffId"]: item["state"] for item in json.load(answer)["handoffs"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--postgres", help="a postgres:// URL of a test server: the vault on a fresh database there")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="handoff-agent-")
    vault = Vault(args.bin, work, database_url=fresh_database(args.postgres) if args.postgres else None)
    vault.start(env={"HANDOFF_LOG_FORMAT": "text", "HANDOFF_EVENT_HEARTBEAT_MS": "1000"})
    vault.setup_generator()
    generator = vault.token("generator", name="agent")
    auditor = vault.token("auditor", name="agent-test")
    invites = [vault.invite("Customer %d" % number) for number in range(HANDOFFS)]
    failing = invites[rng.randrange(HANDOFFS)]["handoffId"]
    packages = os.path.join(work, "built")
    os.makedirs(packages, mode=0o700)
    builder = os.path.join(work, "build.sh")
    with open(builder, "w") as script:
        script.write("""#!/bin/sh
# Altoura's own build step, as the agent runs it: $1 is the values file; print the zip's path.
set -e
sleep 0.3  # long enough for some kills to land mid-build
if [ "$HANDOFF_HANDOFF_ID" = "%s" ]; then echo "cannot build this one" >&2; exit 3; fi
"%s" package build --values "$1" --out "%s/$HANDOFF_HANDOFF_ID.zip" >/dev/null
echo "%s/$HANDOFF_HANDOFF_ID.zip"
""" % (failing, vault.handoff_bin, packages, packages))
    os.chmod(builder, 0o700)
    out = os.path.join(work, "agent")
    agent = Agent(vault, generator, out, builder, os.path.join(work, "agent.log"))
    agent.start()

    # The customers submit over the first ~12 s; the kills fall over the first ~20 s.
    submitted = {}
    def customers():
        for invite in invites:
            time.sleep(rng_submit.uniform(0.3, 1.8))
            path = os.path.join(work, "invite-%s.txt" % invite["handoffId"])
            with open(path, "w") as handle:
                handle.write(invite["inviteCode"])
            result = vault.handoff(["submit", "--values", VALUES, "--invite-file", path, "--json"], check=False)
            submitted[invite["handoffId"]] = result.returncode
    rng_submit = random.Random(args.seed + 1)
    thread = threading.Thread(target=customers)
    thread.start()
    kill_times = sorted(rng.uniform(0.5, 20) for _ in range(args.kills))
    start, table = time.monotonic(), []
    for at in kill_times:
        time.sleep(max(0, at - (time.monotonic() - start)))
        lines = agent.lines()
        doing = lines[-1]["message"] if lines else "(starting)"
        agent.kill()
        table.append((round(at, 2), len(lines), doing[:90]))
        time.sleep(rng.uniform(0, 0.5))
        agent.start()
    thread.join()

    # Let it finish: every buildable handoff delivered.
    problems = []
    deadline = time.monotonic() + 120
    states = {}
    while time.monotonic() < deadline:
        states = handoff_states(vault)
        if sum(1 for id, state in states.items() if state == "delivered") == HANDOFFS - 1:
            break
        time.sleep(1)
    time.sleep(3)  # a duplicate delivery, if the agent were to make one, would land now
    agent.kill(signal.SIGTERM)
    if agent.process.returncode != 0:
        problems.append("SIGTERM: the agent exited %d" % agent.process.returncode)

    if any(code != 0 for code in submitted.values()) or len(submitted) != HANDOFFS:
        problems.append("submissions failed: %s" % submitted)
    export = os.path.join(work, "audit.jsonl")
    vault.handoff(["audit", "export", "--out", export], token=auditor)
    delivered = {}
    with open(export) as lines:
        for line in lines:
            event = json.loads(line)
            if event.get("action") == "package.delivered" and event.get("outcome") == "success":
                delivered[event["handoffId"]] = delivered.get(event["handoffId"], 0) + 1
    verify = vault.handoff(["audit", "verify", "--file", export, "--public-key", vault.server_key], check=False)
    if verify.returncode != 0:
        problems.append("audit verify: " + verify.stderr.strip())
    fetched = 0
    for invite in invites:
        id = invite["handoffId"]
        if id == failing:
            if id in delivered or states.get(id) == "delivered":
                problems.append("the failing handoff %s was delivered" % id)
            continue
        if delivered.get(id) != 1:
            problems.append("%s delivered %s times (state %s)" % (id, delivered.get(id, 0), states.get(id)))
            continue
        fetch = vault.handoff(["package", "fetch", "--out", os.path.join(work, "fetched"), "--values", VALUES,
                               "--invite-file", os.path.join(work, "invite-%s.txt" % id), "--json"], check=False)
        if fetch.returncode != 0:
            problems.append("the customer's fetch of %s failed: %s" % (id, fetch.stderr.strip()))
        else:
            fetched += 1
    state = json.load(open(os.path.join(out, "agent-state.json")))
    failing_progress = state["handoffs"].get(failing, {})
    if failing_progress.get("failures", 0) < 1 or "build command failed" not in failing_progress.get("lastError", ""):
        problems.append("the failing handoff's progress does not show its failure: %s" % failing_progress)
    sequences = {id: progress.get("sequence") for id, progress in state["handoffs"].items() if id != failing}
    if any(sequence != 1 for sequence in sequences.values()):
        problems.append("delivery sequences other than 1: %s" % sequences)

    vault.stop()
    print("agent crashtest (seed %d, %s): %d kills" % (args.seed, "postgres" if args.postgres else "sqlite", len(table)))
    print("  %-8s %-13s %s" % ("kill at", "status lines", "the agent's last line before the kill"))
    for at, count, doing in table:
        print("  %-8s %-13d %s" % ("%.2f s" % at, count, doing))
    print("  delivered exactly once: %d of %d; fetched and verified by the customer: %d; failing handoff %s retried %d times, never delivered"
          % (sum(1 for count in delivered.values() if count == 1), HANDOFFS - 1, fetched, failing[:8], failing_progress.get("failures", 0)))
    if problems:
        print("agent crashtest: FAILED\n  " + "\n  ".join(problems[:20]))
        return 1
    print("agent crashtest: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
