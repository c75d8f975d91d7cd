#!/usr/bin/env bash
# The audit log benchmark: append and checkpoint cost at 10^3…10^6 events, then export + verify
# of the whole log beside sha256sum over the same file, in one run. Rewrites the "Audit log"
# section of BENCHMARKS.md. Usage: scripts/bench/audit.sh [MAX_EVENTS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
max=${1:-1000000}
# A separate scratch folder, so that the release build does not lock the development one.
swift build -c release --product audit-bench --scratch-path .build-release >/dev/null
bin=$(swift build -c release --scratch-path .build-release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "appending $max events (this takes a while)…" >&2
"$bin/audit-bench" "$work" "$max" > "$work/results.jsonl"
now() { date +%s.%N; }
start=$(now); sha256sum "$work/export.jsonl" >/dev/null; sha=$(echo "$(now) - $start" | bc)
bytes=$(stat -c %s "$work/export.jsonl")
rss=$(grep -o '"peakRSSKiB":[0-9]*' "$work/results.jsonl" | tail -1 | cut -d: -f2)

python3 - "$work/results.jsonl" "$sha" "$bytes" "${rss:-0}" <<'PY'
import json, platform, re, subprocess, sys
results = [json.loads(line) for line in open(sys.argv[1])]
sha, size, rss = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [r for r in results if "events" in r]
export = next(r for r in results if "exportEvents" in r)
verify = float(next(r for r in results if "verifySeconds" in r)["verifySeconds"])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
lines = [
    "## Audit log",
    "",
    "`scripts/bench/audit.sh` (`make bench-audit`), release build, one run on %s, %s cores; %s; SQLite `synchronous=FULL`, WAL." % (cpu, subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(), swift),
    "",
    "| events in the log | append, in a batch of 1,000 (µs/event) | append, own durable transaction (µs) | checkpoint: root + Ed25519 + insert (µs) |",
    "|---:|---:|---:|---:|",
]
for r in rows:
    lines.append("| %s | %d | %d | %d |" % (format(r["events"], ","), r["appendBatchedMicroseconds"], r["appendDurableMicroseconds"], r["checkpointMicroseconds"]))
lines += [
    "",
    "Export and offline verification of the whole log (%s events, %.1f MiB):" % (format(export["exportEvents"], ","), size / 1048576),
    "",
    "| step | seconds | vs sha256sum |",
    "|---|---:|---:|",
    "| export (events read from SQLite, file written) | %s | |" % export["exportSeconds"],
    "| verify: read the file, then `AuditVerifier` as `handoff audit verify` runs it (parse, canonical check, every leaf, root, signature) | %.2f | %.1f× |" % (verify, verify / sha if sha else 0),
    "| `sha256sum` over the same file | %.2f | 1.0× |" % sha,
    "",
    "Peak RSS of the benchmark process (the log, the export and the verify, in one process): %.1f MiB. The verifier accumulates the root in O(log n) memory but reads the export file whole." % (rss / 1024),
    "",
]
section = "\n".join(lines)
try:
    text = open("BENCHMARKS.md").read()
except FileNotFoundError:
    text = "# Benchmarks\n\nNumbers are from one run on the machine named in each section; these machines are shared, so compare ratios within a run, not across runs.\n\n"
text = re.sub(r"## Audit log\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip() + "\n\n" + section
open("BENCHMARKS.md", "w").write(text.strip() + "\n")
print(section)
PY
