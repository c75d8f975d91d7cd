#!/usr/bin/env python3
"""What witnessing costs per checkpoint: the latency of GET /v1/audit/checkpoint when the tree has
grown (a new checkpoint is signed and, with a witness, submitted and cosigned before the answer),
with no witness and with the independent test witness (Tests/Tools/witness.py) on this machine;
and the bytes of one add-checkpoint exchange. Prints a Markdown table for BENCHMARKS.md.

Usage: witness_cost.py BIN_DIR [ROUNDS]
"""
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vault import Vault, free_port, run  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WITNESS = os.path.join(ROOT, "Tests", "Tools", "witness.py")


def measure(bin_dir, rounds, witnessed):
    work = tempfile.mkdtemp(prefix="handoff-witness-bench-")
    vault = Vault(bin_dir, work)
    env = {"HANDOFF_CHECKPOINT_INTERVAL": "1000000"}
    witness = None
    if witnessed:
        tls = os.path.join(work, "tls")
        run(["/usr/bin/python3", WITNESS, "tls", tls])
        key = json.loads(run(["/usr/bin/python3", WITNESS, "keygen", "bench.test/w1"]).stdout)
        port = free_port()
        env.update({"HANDOFF_WITNESSES": "%s https://127.0.0.1:%d" % (key["vkey"], port), "HANDOFF_OUTBOUND_CA_FILE": os.path.join(tls, "ca.pem")})
    url = vault.start(env=env)
    context = ssl.create_default_context(cafile=vault.ca_file)

    def checkpoint():
        request = urllib.request.Request(url + "/v1/audit/checkpoint", headers={"Authorization": "Bearer " + vault.admin_token})
        return json.loads(urllib.request.urlopen(request, context=context).read())

    try:
        if witnessed:
            origin = checkpoint()["checkpoint"].split("\n")[0]
            witness = subprocess.Popen(["/usr/bin/python3", WITNESS, "serve", "--name", "bench.test/w1",
                                        "--db", os.path.join(work, "w.sqlite"), "--port", str(port), "--tls", tls,
                                        "--log", "%s=%s" % (origin, vault.server_key), "--ready", os.path.join(work, "ready")],
                                       env=dict(os.environ, WITNESS_SEED=key["seed"]))
            while not os.path.exists(os.path.join(work, "ready")):
                time.sleep(0.05)
            time.sleep(2.5)  # the first background round catches up
        vault.setup_generator()
        latencies, cosigned = [], 0
        for _ in range(rounds):
            vault.invite("Bench")  # the tree grows by one event: the next checkpoint is new
            started = time.perf_counter()
            answer = checkpoint()
            latencies.append((time.perf_counter() - started) * 1000)
            cosigned += answer["checkpoint"].count("\u2014 bench.test/w1 ")
        note = answer["checkpoint"]
        return {"p50": statistics.median(latencies), "p90": sorted(latencies)[int(len(latencies) * 0.9) - 1],
                "cosigned": cosigned, "note_bytes": len(note.encode()), "size": int(note.split("\n")[1])}
    finally:
        if witness:
            witness.kill()
        vault.stop()


def main():
    bin_dir = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    plain = measure(bin_dir, rounds, False)
    witnessed = measure(bin_dir, rounds, True)
    size = witnessed["size"]
    proof_lines = max(1, (size - 1).bit_length())  # at most ⌈log2 n⌉ hashes from the last size
    request_bytes = len("old %d\n" % (size - 1)) + proof_lines * 45 + 1 + witnessed["note_bytes"]
    print("| GET /v1/audit/checkpoint after one new event (%d rounds) | p50 ms | p90 ms | cosigned |" % rounds)
    print("|---|---|---|---|")
    print("| no witness | %.1f | %.1f | – |" % (plain["p50"], plain["p90"]))
    print("| one witness (Tests/Tools/witness.py, same machine) | %.1f | %.1f | %d of %d |" % (witnessed["p50"], witnessed["p90"], witnessed["cosigned"], rounds))
    print()
    print("add-checkpoint request ≈ %d bytes (old size, ≤ %d proof hashes, the note); answer: one cosignature line of %d bytes; "
          "stored: one row per witness and checkpoint." % (request_bytes, proof_lines, len("\u2014 bench.test/w1 ".encode()) + 104))


if __name__ == "__main__":
    main()
